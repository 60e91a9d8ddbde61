package io.sluice.common.rpc;

import com.google.protobuf.ByteString;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.sluice.common.auth.SharedSecret;
import io.sluice.common.proto.FrameHeader;
import io.sluice.common.proto.FrameKind;
import io.sluice.common.proto.Handshake;
import io.sluice.common.proto.Status;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits a connection: its first frame must be a HANDSHAKE naming the user (SIMPLE identity) and protocol
 * version. When the server has a shared secret, the peer must then pass the mutual HMAC challenge drawn in
 * {@code rpc.proto}. Once admitted, the handler tells the dispatcher who the peer is, answers OK and steps out of
 * the pipeline; any other first frame, a failed proof, or a handshake not finished within the handshake timeout
 * closes the connection with a WARN line naming the peer and the reason (never the secret or a MAC), so no request
 * is served before the peer identified itself. Under TLS the handler also sees the TLS handshake's outcome (it is in
 * the pipeline from the start), and refuses the connection the same way when that failed. Each refused connection
 * is reported to the observer once, with its {@link HandshakeFailure}.
 */
final class ServerHandshakeHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ServerHandshakeHandler.class);
  static final int PROTOCOL_VERSION = 1;

  private final ServerDispatcher dispatcher;
  private final String serverName;
  private final RpcServerObserver observer;
  private final SharedSecret secret;
  private final long timeoutMs;
  private ScheduledFuture<?> timer;
  /** The client's first frame once it asked to authenticate; null before, and always without a secret. */
  private Handshake hello;
  private byte[] serverNonce;
  /** Set once the connection is refused: what the peer still sends is dropped, and its close is no news. */
  private boolean refused;

  ServerHandshakeHandler(ServerDispatcher dispatcher, String serverName, RpcServerObserver observer,
      RpcOptions options) {
    this.dispatcher = dispatcher;
    this.serverName = serverName;
    this.observer = observer;
    this.secret = options.secret().orElse(null);
    this.timeoutMs = options.handshakeTimeout().toMillis();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    // A peer that connects and never finishes would otherwise hold the connection (and its buffers) forever.
    timer = ctx.executor().schedule(() -> {
      if (ctx.channel().isActive() && !refused) {
        failed(HandshakeFailure.TIMEOUT);
        LOG.warn("{}: closing connection from {}: no complete handshake within {} ms", serverName,
            ctx.channel().remoteAddress(), timeoutMs);
        ctx.close();
      }
    }, timeoutMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (timer != null) {
      timer.cancel(false);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Frame frame = (Frame) msg;
    try {
      if (refused) {
        return;
      }
      if (frame.header().getKind() != FrameKind.HANDSHAKE) {
        refuse(ctx, Status.INVALID_ARGUMENT, "expected a handshake, got a " + frame.header().getKind() + " frame");
      } else if (hello == null) {
        onHello(ctx, frame.parseBody(Handshake.parser()));
      } else {
        onProof(ctx, frame.header(), frame.parseBody(Handshake.parser()));
      }
    } catch (RpcException e) {
      refuse(ctx, Status.INVALID_ARGUMENT, e.getMessage());
    } finally {
      frame.release();
    }
  }

  private void onHello(ChannelHandlerContext ctx, Handshake hs) {
    if (hs.getVersion() != PROTOCOL_VERSION) {
      refuse(ctx, Status.INVALID_ARGUMENT, "unsupported protocol version " + hs.getVersion());
    } else if (hs.getUser().isEmpty()) {
      refuse(ctx, Status.INVALID_ARGUMENT, "handshake names no user");
    } else if (secret == null) {
      admit(ctx, hs);
    } else if (hs.getClientNonce().isEmpty()) {
      refuse(ctx, Status.PERMISSION_DENIED, "this server requires the cluster's shared secret and the client "
          + "presented none (set sluice.security.secret.file or sluice.security.secret on the client)");
    } else if (hs.getClientNonce().size() != SharedSecret.NONCE_BYTES) {
      refuse(ctx, Status.PERMISSION_DENIED, "malformed client nonce (" + hs.getClientNonce().size() + " bytes)");
    } else {
      hello = hs;
      serverNonce = SharedSecret.newNonce();
      byte[] proof = secret.serverProof(hs.getClientNonce().toByteArray(), serverNonce, hs.getUser(),
          hs.getClientId());
      Handshake challenge = Handshake.newBuilder().setVersion(PROTOCOL_VERSION)
          .setServerNonce(ByteString.copyFrom(serverNonce)).setProof(ByteString.copyFrom(proof)).build();
      reply(ctx, Status.OK, "", challenge);
    }
  }

  private void onProof(ChannelHandlerContext ctx, FrameHeader header, Handshake hs) {
    if (header.getStatus() != Status.OK) {
      // The client found this server's proof wrong and says so before closing: the secrets differ.
      deny(ctx, "the client rejected this server's proof of the shared secret (the secrets differ)");
      ctx.close();
      return;
    }
    byte[] expected = secret.clientProof(serverNonce, hello.getClientNonce().toByteArray(), hello.getUser(),
        hello.getClientId());
    if (SharedSecret.matches(expected, hs.getProof().toByteArray())) {
      admit(ctx, hello);
    } else {
      refuse(ctx, Status.PERMISSION_DENIED, "wrong proof of the cluster's shared secret (the secrets differ, or "
          + "the proof was recorded from another connection)");
    }
  }

  private void admit(ChannelHandlerContext ctx, Handshake hs) {
    dispatcher.authenticated(hs.getUser(), hs.getClientId());
    reply(ctx, Status.OK, "", null);
    ctx.pipeline().remove(this);
  }

  /** Answers the refusal, then closes. */
  private void refuse(ChannelHandlerContext ctx, Status status, String reason) {
    if (status == Status.PERMISSION_DENIED) {
      deny(ctx, reason);
    } else {
      failed(HandshakeFailure.PROTOCOL);
      LOG.warn("{}: rejecting connection from {}: {}", serverName, ctx.channel().remoteAddress(), reason);
    }
    reply(ctx, status, reason, null).addListener(ChannelFutureListener.CLOSE);
  }

  private void deny(ChannelHandlerContext ctx, String reason) {
    failed(HandshakeFailure.SECRET);
    LOG.warn("{}: authentication failed for connection from {}: {}", serverName, ctx.channel().remoteAddress(),
        reason);
  }

  /** Marks the connection refused, counting it once whatever else goes wrong with it afterwards. */
  private void failed(HandshakeFailure why) {
    if (!refused) {
      refused = true;
      observer.handshakeFailed(why);
    }
  }

  private static ChannelFuture reply(ChannelHandlerContext ctx, Status status, String error, Handshake body) {
    FrameHeader.Builder h = FrameHeader.newBuilder().setKind(FrameKind.HANDSHAKE).setStatus(status).setError(error);
    return ctx.writeAndFlush(OutboundFrame.of(h, body));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (hello != null && !refused) {
      deny(ctx, "the client closed the connection before proving the shared secret");
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent tls && !tls.isSuccess() && !refused) {
      failed(HandshakeFailure.TLS);
      LOG.warn("{}: TLS handshake failed for connection from {}: {}", serverName, ctx.channel().remoteAddress(),
          tls.cause().getMessage());
      ctx.close();
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (refused) {
      // Already reported (a failed TLS handshake is announced before its exception arrives): only close.
      ctx.close();
      return;
    }
    if (cause instanceof DecoderException && cause.getCause() instanceof SSLException tls) {
      failed(HandshakeFailure.TLS);
      LOG.warn("{}: TLS failed for connection from {}: {}", serverName, ctx.channel().remoteAddress(),
          tls.getMessage());
    } else {
      if (cause instanceof DecoderException) {
        observer.frameRejected();
        failed(HandshakeFailure.PROTOCOL);
      }
      LOG.warn("{}: closing connection from {} before its handshake: {}", serverName,
          ctx.channel().remoteAddress(), cause.toString());
    }
    ctx.close();
  }
}
