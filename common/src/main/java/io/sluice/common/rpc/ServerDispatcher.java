package io.sluice.common.rpc;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.Channel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.AttributeKey;
import io.sluice.common.proto.FrameKind;
import io.sluice.common.proto.Status;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a server connection: opens a {@link ServerCall} for each REQUEST or ONE_WAY frame and hands
 * it to the service, routes stream frames to their open call, aborts open calls when the connection closes, and
 * closes the connection on a protocol violation or a corrupt frame (with one log line naming the peer).
 *
 * <p>Two bounds keep one connection from taking the server's memory:
 * <ul>
 *   <li>At most {@code maxInflight} REQUEST calls are open; one more is answered UNAVAILABLE at once and never
 *       reaches the service. Refusing, rather than pausing the socket, is forced by streams sharing the
 *       connection: a read stream needs the client's CREDIT frames and a write stream its data frames to end, so a
 *       server that stopped reading once the calls were all open would wait for frames it no longer reads.
 *   <li>While the connection is not writable (its outbound queue went over the write buffer's high water mark:
 *       the peer is not reading what it asked for), the dispatcher stops reading the socket and holds back the
 *       frames already decoded from the last read, until the queue drained under the low mark. So a peer that
 *       writes requests and never reads the answers makes the server queue at most the high mark plus the answers
 *       of one frame and of the calls already in flight, never more. This is the usual Netty backpressure
 *       (autoRead off until {@code channelWritabilityChanged}); frames are held, not handled, because one socket
 *       read may already hold thousands of small requests.
 * </ul>
 */
final class ServerDispatcher extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ServerDispatcher.class);
  /**
   * Asks to stop reading a connection, counted: autoRead goes off with the first ask and on again with the last
   * withdrawn. Services pause reading too (the worker's ReadPauses, while a write's downstream is full), and one
   * party's resume must not undo another's pause, so all share this count: same key, same rules.
   */
  static final AttributeKey<int[]> READ_PAUSES = AttributeKey.valueOf("sluice.readPauses");

  private final RpcHandler handler;
  private final String serverName;
  private final RpcServerObserver observer;
  private final int maxInflight;
  private final Map<Long, ServerCall> open = new ConcurrentHashMap<>();
  /** Frames decoded while the connection was not writable, in arrival order; only touched on the event loop. */
  private final ArrayDeque<Frame> held = new ArrayDeque<>();
  /** Whether this dispatcher holds one of the connection's {@link #READ_PAUSES}; only on the event loop. */
  private boolean paused;
  private String user = "";
  private String clientId = "";

  /** @param maxInflight REQUEST calls that may be open at once on this connection */
  ServerDispatcher(RpcHandler handler, String serverName, RpcServerObserver observer, int maxInflight) {
    this.handler = handler;
    this.serverName = serverName;
    this.observer = observer;
    this.maxInflight = maxInflight;
  }

  RpcServerObserver observer() {
    return observer;
  }

  void authenticated(String u, String client) {
    this.user = u;
    this.clientId = client;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Frame frame = (Frame) msg;
    if (!held.isEmpty() || !ctx.channel().isWritable()) {
      held.add(frame);
      if (!paused) {
        paused = true;
        pauseReading(ctx.channel());
      }
      return;
    }
    dispatch(ctx, frame);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    while (!held.isEmpty() && ctx.channel().isWritable() && ctx.channel().isActive()) {
      dispatch(ctx, held.poll());
    }
    if (paused && held.isEmpty() && ctx.channel().isWritable()) {
      paused = false;
      resumeReading(ctx.channel());
    }
    ctx.fireChannelWritabilityChanged();
  }

  private static void pauseReading(Channel ch) {
    int[] n = ch.attr(READ_PAUSES).setIfAbsent(new int[1]);
    n = n == null ? ch.attr(READ_PAUSES).get() : n;
    if (n[0]++ == 0) {
      ch.config().setAutoRead(false);
    }
  }

  private static void resumeReading(Channel ch) {
    int[] n = ch.attr(READ_PAUSES).get();
    if (n != null && n[0] > 0 && --n[0] == 0) {
      ch.config().setAutoRead(true);
    }
  }

  private void dispatch(ChannelHandlerContext ctx, Frame frame) {
    FrameKind kind = frame.header().getKind();
    switch (kind) {
      case REQUEST, ONE_WAY -> open(ctx, frame, kind);
      case STREAM_DATA, STREAM_END, CREDIT, CANCEL -> {
        ServerCall call = open.get(frame.header().getCallId());
        if (call == null) {
          frame.release(); // a late frame of a call that already ended
        } else {
          call.deliver(frame);
        }
      }
      default -> {
        frame.release();
        LOG.warn("{}: closing connection from {}: unexpected {} frame", serverName, ctx.channel().remoteAddress(),
            kind);
        ctx.close();
      }
    }
  }

  private void open(ChannelHandlerContext ctx, Frame frame, FrameKind kind) {
    ServerCall call = new ServerCall(ctx.channel(), frame, user, clientId, this);
    if (kind == FrameKind.REQUEST && open.size() >= maxInflight) {
      call.fail(Status.UNAVAILABLE, "too many requests in flight on this connection (" + maxInflight + ")");
      return;
    }
    if (kind == FrameKind.REQUEST && open.putIfAbsent(call.callId(), call) != null) {
      call.fail(Status.INVALID_ARGUMENT, "call id " + call.callId() + " is already in use");
      return;
    }
    try {
      handler.handle(call);
    } catch (RuntimeException e) {
      call.fail(e);
    }
    if (kind == FrameKind.ONE_WAY) {
      call.closeOneWay();
    }
  }

  void remove(ServerCall call) {
    open.remove(call.callId(), call);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    for (Frame f = held.poll(); f != null; f = held.poll()) {
      f.release();
    }
    RpcException cause = new RpcException(Status.UNAVAILABLE, "connection from " + ctx.channel().remoteAddress()
        + " closed");
    for (ServerCall call : open.values()) {
      call.abort(cause);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Corrupt or oversized frames end up here from the decoder: the stream can't be resynchronised, so close.
    if (cause instanceof DecoderException) {
      observer.frameRejected();
    }
    LOG.warn("{}: closing connection from {}: {}", serverName, ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
