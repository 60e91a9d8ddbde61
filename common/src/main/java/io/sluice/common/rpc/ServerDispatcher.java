package io.sluice.common.rpc;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.sluice.common.proto.FrameKind;
import io.sluice.common.proto.Status;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a server connection: opens a {@link ServerCall} for each REQUEST or ONE_WAY frame and hands
 * it to the service, routes stream frames to their open call, aborts open calls when the connection closes, and
 * closes the connection on a protocol violation or a corrupt frame (with one log line naming the peer).
 */
final class ServerDispatcher extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ServerDispatcher.class);

  private final RpcHandler handler;
  private final String serverName;
  private final RpcServerObserver observer;
  private final Map<Long, ServerCall> open = new ConcurrentHashMap<>();
  private String user = "";
  private String clientId = "";

  ServerDispatcher(RpcHandler handler, String serverName, RpcServerObserver observer) {
    this.handler = handler;
    this.serverName = serverName;
    this.observer = observer;
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
