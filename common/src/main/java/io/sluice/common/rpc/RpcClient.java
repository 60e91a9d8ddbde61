package io.sluice.common.rpc;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.sluice.common.proto.FrameHeader;
import io.sluice.common.proto.FrameKind;
import io.sluice.common.proto.Status;
import io.sluice.common.tls.RpcTls;
import java.io.Closeable;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client connection to an {@link RpcServer}. Calls are multiplexed by call id, so any number of threads may
 * share a client. {@link #connect} returns only after the server accepted the handshake.
 */
public final class RpcClient implements Closeable {
  /** Client event loops are shared by every connection of the process, per transport. */
  private static final Map<Transport, EventLoopGroup> GROUPS = new ConcurrentHashMap<>();

  private final Channel channel;
  private final ClientHandler handler;
  private final RpcOptions options;
  private final InetSocketAddress address;
  private final AtomicLong nextCallId = new AtomicLong(1);

  private RpcClient(Channel channel, ClientHandler handler, RpcOptions options, InetSocketAddress address) {
    this.channel = channel;
    this.handler = handler;
    this.options = options;
    this.address = address;
  }

  private static EventLoopGroup group(Transport t) {
    return GROUPS.computeIfAbsent(t, tr -> tr.newGroup(Math.max(2, Runtime.getRuntime().availableProcessors()),
        "sluice-rpc-client"));
  }

  /**
   * Connects and performs the handshake.
   *
   * @throws RpcException UNAVAILABLE when the server cannot be reached in time; PERMISSION_DENIED ("authentication
   *     failed: ...") when either side cannot prove the cluster's shared secret to the other; or the server's
   *     refusal
   */
  public static RpcClient connect(InetSocketAddress address, RpcOptions options) throws RpcException {
    ClientHandler handler = new ClientHandler(options);
    ChannelFuture connected = bootstrap(group(options.transport()), options, handler, address).connect(address);
    if (!connected.awaitUninterruptibly(options.connectTimeout().toMillis() + 1000) || !connected.isSuccess()) {
      connected.channel().close();
      Throwable cause = connected.cause();
      throw new RpcException(Status.UNAVAILABLE, "cannot connect to " + address + ": "
          + (cause == null ? "timed out" : cause.getMessage()), cause);
    }
    Channel ch = connected.channel();
    ch.writeAndFlush(handler.hello());
    try {
      handler.handshake.get(options.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException | InterruptedException e) {
      ch.close();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw e.getCause() instanceof RpcException re ? re
          : new RpcException(Status.UNAVAILABLE, "no handshake from " + address + ": " + e, e);
    }
    return new RpcClient(ch, handler, options, address);
  }

  /**
   * Connects and performs the handshake without blocking, with the connection's I/O on {@code loop}: a caller on
   * that event loop (a worker forwarding a block to the next worker) then handles both of its connections on one
   * thread, without locks or hand-offs. {@code loop} must be of {@code options.transport()}.
   *
   * @return completes with the client once the server accepted the handshake, or exceptionally with UNAVAILABLE
   *     (not reached within the connect timeout) or the server's refusal
   */
  public static CompletableFuture<RpcClient> connectAsync(InetSocketAddress address, RpcOptions options,
      EventLoop loop) {
    ClientHandler handler = new ClientHandler(options);
    CompletableFuture<RpcClient> result = new CompletableFuture<>();
    long timeoutMs = options.connectTimeout().toMillis();
    bootstrap(loop, options, handler, address).connect(address).addListener((ChannelFuture f) -> {
      Channel ch = f.channel();
      if (!f.isSuccess()) {
        ch.close();
        result.completeExceptionally(new RpcException(Status.UNAVAILABLE, "cannot connect to " + address + ": "
            + f.cause().getMessage(), f.cause()));
        return;
      }
      ScheduledFuture<?> timer = ch.eventLoop().schedule(() -> handler.handshake.completeExceptionally(
          new RpcException(Status.UNAVAILABLE, "no handshake from " + address + " within " + timeoutMs + " ms")),
          timeoutMs, TimeUnit.MILLISECONDS);
      handler.handshake.whenComplete((v, e) -> {
        timer.cancel(false);
        if (e == null) {
          result.complete(new RpcClient(ch, handler, options, address));
        } else {
          ch.close();
          result.completeExceptionally(e);
        }
      });
      ch.writeAndFlush(handler.hello());
    });
    return result;
  }

  /**
   * The connection's pipeline, in order: with TLS an {@code SslHandler} for {@code address} (whose host, as
   * dialled, the server's certificate must name), then {@link FrameDecoder}, {@link FrameEncoder} and the
   * {@link ClientHandler}. The Sluice handshake's first frame is written at once; under TLS the {@code SslHandler}
   * holds it until the TLS handshake is done.
   */
  private static Bootstrap bootstrap(EventLoopGroup group, RpcOptions options, ClientHandler handler,
      InetSocketAddress address) {
    RpcTls tls = options.tls().orElse(null);
    return new Bootstrap().group(group).channel(options.transport().channel())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis())
        .option(ChannelOption.MESSAGE_SIZE_ESTIMATOR, FrameSizeEstimator.INSTANCE)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (tls != null) {
              ch.pipeline().addLast(RpcServer.TLS_HANDLER,
                  tls.newClientHandler(ch.alloc(), address.getHostString(), address.getPort()));
            }
            ch.pipeline()
                .addLast("frameDecoder", new FrameDecoder(options.maxFrameBytes()))
                .addLast("frameEncoder", FrameEncoder.INSTANCE)
                .addLast("client", handler);
          }
        });
  }

  /**
   * Sends a request; the future completes with the OK response frame (the caller releases it) or exceptionally
   * with an {@link RpcException} carrying the server's status, or UNAVAILABLE after the call timeout.
   */
  public CompletableFuture<Frame> call(int method, Message body) {
    return call(method, body, 0);
  }

  /** As {@link #call(int, Message)}, naming the logical call with {@code requestId} (stable across retries). */
  public CompletableFuture<Frame> call(int method, Message body, long requestId) {
    return call(method, body, requestId, options.callTimeout());
  }

  /** As {@link #call(int, Message, long)}, failing after {@code timeout} rather than the options' call timeout. */
  public CompletableFuture<Frame> call(int method, Message body, long requestId, Duration timeout) {
    long id = nextCallId.getAndIncrement();
    PendingCall call = new PendingCall(id, null);
    if (!register(call)) {
      return call.response;
    }
    long timeoutMs = timeout.toMillis();
    call.timeout = channel.eventLoop().schedule(() -> handler.fail(id, new RpcException(Status.UNAVAILABLE,
        "no answer from " + address + " within " + timeoutMs + " ms")), timeoutMs, TimeUnit.MILLISECONDS);
    send(id, FrameKind.REQUEST, method, body, 0, requestId);
    return call.response;
  }

  /** Calls and waits: the parsed response, or the server's error as an {@link RpcException}. */
  public <T extends Message> T call(int method, Message body, Parser<T> responseParser) throws RpcException {
    return call(method, body, responseParser, 0);
  }

  /** Calls and waits, naming the logical call with {@code requestId} (stable across retries). */
  public <T extends Message> T call(int method, Message body, Parser<T> responseParser, long requestId)
      throws RpcException {
    return call(method, body, responseParser, requestId, options.callTimeout());
  }

  /** Calls and waits at most {@code timeout}: the parsed response, or the server's error as an RpcException. */
  public <T extends Message> T call(int method, Message body, Parser<T> responseParser, long requestId,
      Duration timeout) throws RpcException {
    Frame frame = await(call(method, body, requestId, timeout));
    try {
      return frame.parseBody(responseParser);
    } finally {
      frame.release();
    }
  }

  /** Sends a request with no response. */
  public void oneWay(int method, Message body) {
    send(nextCallId.getAndIncrement(), FrameKind.ONE_WAY, method, body, 0, 0);
  }

  /**
   * Opens a streaming call: the request is sent with {@code initialCredits}; the server's data frames go to
   * {@code listener} on the event loop; {@link ClientStream#response()} completes with the final RESPONSE. A stream
   * has no overall timeout (reads may be long); its user bounds each wait for data.
   */
  public ClientStream openStream(int method, Message body, int initialCredits, StreamListener listener) {
    long id = nextCallId.getAndIncrement();
    PendingCall call = new PendingCall(id, listener);
    if (register(call)) {
      send(id, FrameKind.REQUEST, method, body, initialCredits, 0);
    }
    return new ClientStream(this, call);
  }

  private boolean register(PendingCall call) {
    try {
      handler.add(call);
      return true;
    } catch (RpcException e) {
      call.response.completeExceptionally(e);
      return false;
    }
  }

  private void send(long id, FrameKind kind, int method, Message body, int credits, long requestId) {
    FrameHeader.Builder h = FrameHeader.newBuilder().setCallId(id).setKind(kind).setMethod(method)
        .setCredits(credits).setRequestId(requestId);
    channel.writeAndFlush(OutboundFrame.of(h, body)).addListener(failOnError(id));
  }

  ChannelFutureListener failOnError(long id) {
    return f -> {
      if (!f.isSuccess()) {
        handler.fail(id, new RpcException(Status.UNAVAILABLE, "cannot send to " + address + ": " + f.cause(),
            f.cause()));
      }
    };
  }

  /** Waits for a call's future, turning every failure into an {@link RpcException}. */
  public static Frame await(CompletableFuture<Frame> future) throws RpcException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      // Nobody will take the answer now: release it whenever it arrives, or its buffer leaks.
      future.thenAccept(Frame::release);
      Thread.currentThread().interrupt();
      throw new RpcException(Status.UNAVAILABLE, "interrupted while waiting for an answer", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RpcException re) {
        throw re;
      }
      throw new RpcException(Status.INTERNAL, String.valueOf(e.getCause()), e.getCause());
    }
  }

  Channel channel() {
    return channel;
  }

  ClientHandler handler() {
    return handler;
  }

  RpcOptions options() {
    return options;
  }

  public InetSocketAddress address() {
    return address;
  }

  /** Whether the connection is still open (a closed client fails every call with UNAVAILABLE). */
  public boolean isActive() {
    return channel.isActive();
  }

  /** Whether the connection takes more data without queueing past its high-water mark. */
  public boolean isWritable() {
    return channel.isWritable();
  }

  /**
   * Runs {@code listener} on the connection's event loop whenever its writability changes (check
   * {@link #isWritable()}): for a caller on an event loop that stops its own source while this connection is full.
   * One listener per connection, so meant for a connection dedicated to one stream; null removes it.
   */
  public void onWritabilityChanged(Runnable listener) {
    handler.writabilityListener = listener;
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
  }

  /** Closes without waiting: for a caller on an event loop, where {@link #close()} may not block. */
  public void closeAsync() {
    channel.close();
  }
}
