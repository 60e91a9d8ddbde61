package io.sluice.common.rpc;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.sluice.common.proto.FrameHeader;
import io.sluice.common.proto.FrameKind;
import io.sluice.common.proto.Handshake;
import io.sluice.common.proto.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits a connection: its first frame must be a HANDSHAKE naming the user (SIMPLE identity) and protocol
 * version. It answers with a HANDSHAKE of its own and steps out of the pipeline; any other first frame is answered
 * with an error and the connection is closed, so no request is served before the peer identified itself.
 */
final class ServerHandshakeHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ServerHandshakeHandler.class);
  static final int PROTOCOL_VERSION = 1;

  private final ServerDispatcher dispatcher;
  private final String serverName;
  private final RpcServerObserver observer;

  ServerHandshakeHandler(ServerDispatcher dispatcher, String serverName, RpcServerObserver observer) {
    this.dispatcher = dispatcher;
    this.serverName = serverName;
    this.observer = observer;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Frame frame = (Frame) msg;
    try {
      String problem = check(frame);
      if (problem != null) {
        LOG.warn("{}: rejecting connection from {}: {}", serverName, ctx.channel().remoteAddress(), problem);
        reply(ctx, Status.INVALID_ARGUMENT, problem).addListener(ChannelFutureListener.CLOSE);
        return;
      }
      Handshake hs = frame.parseBody(Handshake.parser());
      dispatcher.authenticated(hs.getUser(), hs.getClientId());
      reply(ctx, Status.OK, "");
      ctx.pipeline().remove(this);
    } catch (RpcException e) {
      ctx.close();
    } finally {
      frame.release();
    }
  }

  /** Why the frame is not an acceptable handshake, or null. */
  private static String check(Frame frame) throws RpcException {
    if (frame.header().getKind() != FrameKind.HANDSHAKE) {
      return "expected a handshake, got a " + frame.header().getKind() + " frame";
    }
    Handshake hs = frame.parseBody(Handshake.parser());
    if (hs.getVersion() != PROTOCOL_VERSION) {
      return "unsupported protocol version " + hs.getVersion();
    }
    if (hs.getUser().isEmpty()) {
      return "handshake names no user";
    }
    return null;
  }

  private static io.netty.channel.ChannelFuture reply(ChannelHandlerContext ctx, Status status, String error) {
    FrameHeader.Builder h = FrameHeader.newBuilder().setKind(FrameKind.HANDSHAKE).setStatus(status).setError(error);
    return ctx.writeAndFlush(OutboundFrame.of(h, null));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof DecoderException) {
      observer.frameRejected();
    }
    LOG.warn("{}: closing connection from {} before its handshake: {}", serverName, ctx.channel().remoteAddress(),
        cause.toString());
    ctx.close();
  }
}
