package io.sluice.common.rpc;

import com.google.protobuf.ByteString;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.sluice.common.auth.SharedSecret;
import io.sluice.common.proto.FrameHeader;
import io.sluice.common.proto.FrameKind;
import io.sluice.common.proto.Handshake;
import io.sluice.common.proto.Status;
import io.sluice.common.tls.TlsKeys;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a client connection: completes the handshake (with a shared secret, the client's half of the
 * mutual HMAC challenge drawn in {@code rpc.proto}), matches RESPONSE frames to pending calls by call id, routes
 * stream data to the call's listener, fails every pending call when the connection closes, and wakes writers
 * blocked on writability. Under TLS it turns a failed TLS handshake into the connecting caller's error, saying
 * what failed, instead of a bare "connection closed".
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ClientHandler.class);

  final CompletableFuture<Void> handshake = new CompletableFuture<>();
  private final RpcOptions options;
  private final SharedSecret secret;
  /** This side's challenge to the server; null without a secret. */
  private final byte[] clientNonce;
  /** Whether the client sent its proof and now waits for the server's verdict. */
  private boolean proofSent;
  private final Map<Long, PendingCall> pending = new ConcurrentHashMap<>();
  private final Object writability = new Object();
  private volatile RpcException closedCause;
  /** Told of writability changes, on the event loop (see {@link RpcClient#onWritabilityChanged}). */
  volatile Runnable writabilityListener;

  ClientHandler(RpcOptions options) {
    this.options = options;
    this.secret = options.secret().orElse(null);
    this.clientNonce = secret == null ? null : SharedSecret.newNonce();
  }

  /** The connection's first frame: who this client is and, with a secret, its challenge to the server. */
  OutboundFrame hello() {
    Handshake.Builder hs = Handshake.newBuilder().setVersion(ServerHandshakeHandler.PROTOCOL_VERSION)
        .setUser(options.user()).setClientId(options.clientId());
    if (clientNonce != null) {
      hs.setClientNonce(ByteString.copyFrom(clientNonce));
    }
    return OutboundFrame.of(FrameHeader.newBuilder().setKind(FrameKind.HANDSHAKE), hs.build());
  }

  void add(PendingCall call) throws RpcException {
    RpcException closed = closedCause;
    if (closed != null) {
      throw closed;
    }
    pending.put(call.id, call);
  }

  /** Fails and forgets a call (timeout or cancel); a RESPONSE that arrives later is dropped. */
  void fail(long id, RpcException cause) {
    PendingCall call = pending.remove(id);
    if (call != null) {
      complete(call, null, cause);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Frame frame = (Frame) msg;
    FrameHeader h = frame.header();
    switch (h.getKind()) {
      case HANDSHAKE -> {
        try {
          onHandshake(ctx, frame);
        } catch (RpcException e) {
          handshake.completeExceptionally(e);
        } finally {
          frame.release();
        }
      }
      case RESPONSE -> {
        PendingCall call = pending.remove(h.getCallId());
        if (call == null) {
          frame.release(); // answer to a call that timed out or was cancelled
        } else if (h.getStatus() == Status.OK) {
          complete(call, frame, null);
        } else {
          frame.release();
          complete(call, null, RpcException.answered(h.getStatus(), h.getError(), h.getLeader()));
        }
      }
      case STREAM_DATA, STREAM_END, CREDIT -> {
        PendingCall call = pending.get(h.getCallId());
        if (call == null || call.listener == null) {
          frame.release();
        } else if (h.getKind() == FrameKind.STREAM_DATA) {
          call.listener.onData(frame);
        } else {
          frame.release();
          if (h.getKind() == FrameKind.CREDIT) {
            call.listener.onCredit(h.getCredits());
          } else {
            call.listener.onEnd();
          }
        }
      }
      default -> {
        frame.release();
        LOG.warn("closing connection to {}: unexpected {} frame", ctx.channel().remoteAddress(), h.getKind());
        ctx.close();
      }
    }
  }

  /**
   * Handles the server's answers to the hello and, with a secret, to the proof. A failure completes the handshake
   * exceptionally; the connecting code then closes the connection.
   */
  private void onHandshake(ChannelHandlerContext ctx, Frame frame) throws RpcException {
    FrameHeader h = frame.header();
    Object server = ctx.channel().remoteAddress();
    if (h.getStatus() == Status.PERMISSION_DENIED) {
      throw new RpcException(Status.PERMISSION_DENIED, "authentication failed: " + server + " refused the "
          + "connection: " + h.getError());
    }
    if (h.getStatus() != Status.OK) {
      throw new RpcException(h.getStatus(), "handshake refused: " + h.getError());
    }
    if (secret == null || proofSent) {
      handshake.complete(null);
      return;
    }
    Handshake challenge = frame.parseBody(Handshake.parser());
    if (challenge.getProof().isEmpty() || challenge.getServerNonce().size() != SharedSecret.NONCE_BYTES) {
      throw new RpcException(Status.PERMISSION_DENIED, "authentication failed: " + server + " did not prove "
          + "that it knows the cluster's shared secret (is sluice.security.secret set on that server?); this "
          + "client has a secret and does not trust a server without one");
    }
    byte[] serverNonce = challenge.getServerNonce().toByteArray();
    byte[] expected = secret.serverProof(clientNonce, serverNonce, options.user(), options.clientId());
    if (!SharedSecret.matches(expected, challenge.getProof().toByteArray())) {
      // Tell the server why before the connect code closes, so its log names the cause too.
      ctx.writeAndFlush(OutboundFrame.of(FrameHeader.newBuilder().setKind(FrameKind.HANDSHAKE)
          .setStatus(Status.PERMISSION_DENIED).setError("server proof does not match"), null));
      throw new RpcException(Status.PERMISSION_DENIED, "authentication failed: " + server + " proved a "
          + "different shared secret than this client's (the secrets differ)");
    }
    byte[] proof = secret.clientProof(serverNonce, clientNonce, options.user(), options.clientId());
    ctx.writeAndFlush(OutboundFrame.of(FrameHeader.newBuilder().setKind(FrameKind.HANDSHAKE),
        Handshake.newBuilder().setProof(ByteString.copyFrom(proof)).build()));
    proofSent = true;
  }

  private static void complete(PendingCall call, Frame frame, RpcException error) {
    if (call.timeout != null) {
      call.timeout.cancel(false);
    }
    if (error != null) {
      if (call.listener != null) {
        call.listener.onAbort(error);
      }
      call.response.completeExceptionally(error);
    } else if (!call.response.complete(frame)) {
      frame.release();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    RpcException cause = new RpcException(Status.UNAVAILABLE, "connection to " + ctx.channel().remoteAddress()
        + " closed");
    closedCause = cause;
    handshake.completeExceptionally(cause);
    for (Long id : pending.keySet()) {
      fail(id, cause);
    }
    wakeWriters();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    wakeWriters();
    Runnable l = writabilityListener;
    if (l != null) {
      l.run();
    }
    ctx.fireChannelWritabilityChanged();
  }

  private void wakeWriters() {
    synchronized (writability) {
      writability.notifyAll();
    }
  }

  /** Blocks until the channel is writable, closed, or {@code nanos} pass; returns whether it is writable. */
  boolean awaitWritable(io.netty.channel.Channel ch, long nanos) throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    synchronized (writability) {
      // Decide inside the loop: writability flickers while the event loop drains a large frame, so a second read
      // after the loop could see "not writable" although the wait was satisfied.
      while (true) {
        if (ch.isWritable()) {
          return true;
        }
        if (!ch.isActive()) {
          return false;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(writability, left);
      }
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent tls && !tls.isSuccess()) {
      tlsFailed(ctx, tls.cause());
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // With TLS 1.3 a server checks the client's certificate after the client finished its side of the handshake,
    // so a refusal arrives as an alert while this client waits for the Sluice handshake's answer.
    if (cause instanceof DecoderException && cause.getCause() instanceof SSLException tls
        && (!handshake.isDone() || handshake.isCompletedExceptionally())) {
      tlsFailed(ctx, tls); // the connecting caller hears of it (unless it already did): no log line of its own
    } else {
      LOG.warn("closing connection to {}: {}", ctx.channel().remoteAddress(), cause.toString());
    }
    ctx.close();
  }

  /**
   * Fails the connecting caller: PERMISSION_DENIED when a side refused the other's certificate or they share no
   * protocol (a configuration error, not worth retrying), UNAVAILABLE when the connection closed during the TLS
   * handshake without a TLS answer (most often a server without TLS, which drops what it cannot parse).
   */
  private void tlsFailed(ChannelHandlerContext ctx, Throwable cause) {
    Object server = ctx.channel().remoteAddress();
    // Netty reports a connection closed mid-handshake as a handshake exception carrying a ClosedChannelException.
    boolean closed = Arrays.stream(cause.getSuppressed()).anyMatch(ClosedChannelException.class::isInstance)
        || cause instanceof ClosedChannelException;
    RpcException e = !closed
        ? new RpcException(Status.PERMISSION_DENIED, "authentication failed: TLS handshake with " + server
            + " failed: " + cause.getMessage() + " (check " + TlsKeys.TRUST.name() + " on both sides, and that the "
            + "server's certificate names the host dialled)", cause)
        : new RpcException(Status.UNAVAILABLE, "TLS handshake with " + server + " failed: the server closed the "
            + "connection (does it have " + TlsKeys.ENABLED.name() + "=true?)", cause);
    handshake.completeExceptionally(e);
  }
}
