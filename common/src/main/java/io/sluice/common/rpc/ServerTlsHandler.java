package io.sluice.common.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import io.sluice.common.proto.FrameHeader;
import io.sluice.common.proto.FrameKind;
import io.sluice.common.proto.Status;
import io.sluice.common.tls.RpcTls;
import io.sluice.common.tls.TlsKeys;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First handler of a TLS server's connection, until it has seen the first bytes: a TLS record makes it put the
 * {@link SslHandler} in its place (which then handles those bytes and everything after); anything else is a
 * client without TLS, which is answered with a plaintext HANDSHAKE frame saying that this server requires TLS, and
 * closed. Without this, such a client would only see its connection closed and could not tell why; the answer
 * carries no data of the server's beyond that one requirement.
 */
final class ServerTlsHandler extends ByteToMessageDecoder {
  private static final Logger LOG = LoggerFactory.getLogger(ServerTlsHandler.class);
  /** Bytes of a TLS record header, enough to tell a TLS record from a Sluice frame. */
  private static final int RECORD_HEADER_BYTES = 5;
  static final String REFUSAL = "this server requires TLS: set " + TlsKeys.ENABLED.name() + "=true and "
      + TlsKeys.TRUST.name() + " on the client";

  private final RpcTls tls;
  private final String serverName;
  private final RpcServerObserver observer;
  private boolean refused;

  ServerTlsHandler(RpcTls tls, String serverName, RpcServerObserver observer) {
    this.tls = tls;
    this.serverName = serverName;
    this.observer = observer;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (refused) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (in.readableBytes() < RECORD_HEADER_BYTES) {
      return;
    }
    if (SslHandler.isEncrypted(in, false)) {
      // On removal the decoder hands the bytes it holds to the next handler: the SslHandler sees the whole record.
      ctx.pipeline().replace(this, RpcServer.TLS_HANDLER, tls.newServerHandler(ctx.alloc()));
      return;
    }
    refused = true;
    in.skipBytes(in.readableBytes());
    LOG.warn("{}: refusing connection from {}: it does not speak TLS and this server requires it", serverName,
        ctx.channel().remoteAddress());
    observer.handshakeFailed(HandshakeFailure.PLAINTEXT);
    // Through the frame encoder, and past this handler: the answer goes out in plaintext, as the client expects.
    ctx.channel().writeAndFlush(OutboundFrame.of(FrameHeader.newBuilder().setKind(FrameKind.HANDSHAKE)
        .setStatus(Status.PERMISSION_DENIED).setError(REFUSAL), null)).addListener(ChannelFutureListener.CLOSE);
  }
}
