package io.sluice.common.rpc;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.sluice.common.proto.Status;
import io.sluice.common.tls.RpcTls;
import java.io.Closeable;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Netty server speaking the Sluice frame protocol to one {@link RpcHandler}. Each connection's pipeline, in
 * order: with TLS, {@link ServerTlsHandler} (which becomes the {@code SslHandler} once the peer spoke TLS, and
 * refuses a plaintext peer) and {@link FileRegionEncoder} (file regions cannot pass TLS); then
 * {@link FrameDecoder} (bounded frames), {@link FrameEncoder}, {@link ServerHandshakeHandler} (until the peer
 * identified itself; it also reports a failed TLS handshake), {@link ServerDispatcher} (calls to the handler).
 *
 * <p>The server enforces its {@link RpcLimits}: a connection over the connection limit is closed as soon as it is
 * accepted; each connection's outbound queue has a write buffer water mark, over which the dispatcher stops reading
 * that connection (see {@link ServerDispatcher}), so a peer that never reads cannot make the server queue without
 * bound.
 */
public final class RpcServer implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(RpcServer.class);
  /** The pipeline name of the TLS handler, first in the pipeline when TLS is on. */
  static final String TLS_HANDLER = "tls";

  private final String name;
  private final InetSocketAddress bind;
  private final RpcHandler handler;
  private final RpcOptions options;
  private final RpcServerObserver observer;
  private final RpcLimits limits;
  private final AtomicInteger connections = new AtomicInteger();
  private final RefusalLog refusals = new RefusalLog();
  /**
   * The connections being served, closed before the event loops stop (see {@link #close}); once closed, it closes
   * a connection added to it at once (one accepted just before the server's socket closed).
   */
  private ChannelGroup children;
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private Channel serverChannel;

  /**
   * @param name for logs and thread names ("master", "worker-data")
   * @param bind where to listen; port 0 picks a free port (see {@link #address()})
   */
  public RpcServer(String name, InetSocketAddress bind, RpcHandler handler, RpcOptions options) {
    this(name, bind, handler, options, RpcServerObserver.NONE);
  }

  /**
   * @param name for logs and thread names ("master", "worker-data")
   * @param bind where to listen; port 0 picks a free port (see {@link #address()})
   * @param observer told of connections, rejected frames and calls (metrics)
   */
  public RpcServer(String name, InetSocketAddress bind, RpcHandler handler, RpcOptions options,
      RpcServerObserver observer) {
    this(name, bind, handler, options, RpcLimits.DEFAULTS, observer);
  }

  /**
   * @param name for logs and thread names ("master", "worker-data")
   * @param bind where to listen; port 0 picks a free port (see {@link #address()})
   * @param limits what one peer, and all of them together, may hold of this server
   * @param observer told of connections, rejected frames and calls (metrics)
   */
  public RpcServer(String name, InetSocketAddress bind, RpcHandler handler, RpcOptions options, RpcLimits limits,
      RpcServerObserver observer) {
    this.limits = limits;
    this.name = name;
    this.bind = bind;
    this.handler = handler;
    this.options = options;
    this.observer = observer;
  }

  /**
   * Binds and starts serving.
   *
   * @throws IllegalArgumentException when TLS is on and this process has no certificate and key
   */
  public RpcServer start() throws RpcException {
    RpcTls tls = options.tls().map(RpcTls::server).orElse(null);
    Transport transport = options.transport();
    boss = transport.newGroup(1, name + "-accept");
    workers = transport.newGroup(0, name + "-io");
    ChannelGroup served = new DefaultChannelGroup(name + "-connections", GlobalEventExecutor.INSTANCE, true);
    children = served;
    ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(transport.serverChannel())
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
            new WriteBufferWaterMark(limits.writeBufferLow(), limits.writeBufferHigh()))
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (connections.incrementAndGet() > limits.maxConnections()) {
              connections.decrementAndGet();
              refusals.refused(ch);
              observer.handshakeFailed(HandshakeFailure.CONNECTIONS);
              ch.close();
              return;
            }
            observer.connectionOpened();
            served.add(ch);
            ch.closeFuture().addListener(f -> {
              connections.decrementAndGet();
              observer.connectionClosed();
            });
            ServerDispatcher dispatcher = new ServerDispatcher(handler, name, observer, limits.maxInflight());
            if (tls != null) {
              ch.pipeline()
                  .addLast(TLS_HANDLER, new ServerTlsHandler(tls, name, observer))
                  .addLast("regionCopier", FileRegionEncoder.INSTANCE);
            }
            ch.pipeline()
                .addLast("frameDecoder", new FrameDecoder(options.maxFrameBytes()))
                .addLast("frameEncoder", FrameEncoder.INSTANCE)
                .addLast("handshake", new ServerHandshakeHandler(dispatcher, name, observer, options))
                .addLast("dispatcher", dispatcher);
          }
        });
    try {
      serverChannel = b.bind(bind).sync().channel();
    } catch (Exception e) {
      close();
      throw new RpcException(Status.UNAVAILABLE, name + ": cannot listen on " + bind + ": " + e.getMessage(), e);
    }
    LOG.info("{} serving RPC on {} ({}{})", name, address(), transport, tls == null ? "" : ", " + tls);
    return this;
  }

  /** Connections served now. */
  public int connections() {
    return connections.get();
  }

  /** The address actually bound. */
  public InetSocketAddress address() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  /** Stops listening, closes every connection and stops the event loops. Idempotent. */
  @Override
  public synchronized void close() {
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
      serverChannel = null;
    }
    // Closed on their running event loops, which release what each still holds (answers queued for a peer that
    // stopped reading, a partly received frame). Left to the loops' shutdown, a connection closing as they stop
    // could lose its cleanup, and the buffers with it (seen as leaks after RpcLimitsTest's non-reading peers).
    if (children != null) {
      children.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
    if (boss != null) {
      boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      boss = null;
    }
    if (workers != null) {
      workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      workers = null;
    }
  }

  /**
   * Logs refused connections at most once a second, with the count refused since the last line: a flood of
   * connections must not become a flood of log lines.
   */
  private final class RefusalLog {
    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private final AtomicLong nextLogNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong refused = new AtomicLong();

    void refused(Channel ch) {
      long n = refused.incrementAndGet();
      long now = System.nanoTime();
      long next = nextLogNanos.get();
      if (now - next >= 0 && nextLogNanos.compareAndSet(next, now + INTERVAL_NANOS)) {
        refused.addAndGet(-n);
        LOG.warn("{}: refused connection from {}: already serving {} connections, the limit ({}); {} refused "
            + "since the last report", name, ch.remoteAddress(), limits.maxConnections(),
            RpcLimits.MAX_CONNECTIONS.name(), n);
      }
    }
  }
}
