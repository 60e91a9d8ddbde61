package io.sluice.common.rpc;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The one place that chooses between the native epoll transport and NIO. Epoll gives zero-copy sendfile for
 * {@code FileRegion}s without NIO's {@code transferTo} loop; NIO keeps Sluice working where the native library
 * cannot load.
 */
public enum Transport {
  EPOLL, NIO;

  /** Epoll when {@code preferEpoll} and the native library loads here, else NIO. */
  public static Transport choose(boolean preferEpoll) {
    return preferEpoll && Epoll.isAvailable() ? EPOLL : NIO;
  }

  /** A group of {@code threads} event loops (0 = Netty's default) with daemon threads named {@code name}. */
  public EventLoopGroup newGroup(int threads, String name) {
    IoHandlerFactory factory = this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), factory);
  }

  public Class<? extends ServerChannel> serverChannel() {
    return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  public Class<? extends Channel> channel() {
    return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }
}
