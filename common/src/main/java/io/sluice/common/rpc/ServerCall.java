package io.sluice.common.rpc;

import com.google.protobuf.Message;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.ReferenceCounted;
import io.sluice.common.proto.FrameHeader;
import io.sluice.common.proto.FrameKind;
import io.sluice.common.proto.Status;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One inbound call on the server. The handler answers it exactly once with {@code respond} or {@code fail}
 * (further answers are ignored); a streaming call may first send data frames and receive the client's with a
 * {@link StreamListener}. The request's body and data stay valid until the call is answered (ONE_WAY calls: until
 * {@link RpcHandler#handle} returns). Thread-safe: any thread may answer.
 */
public final class ServerCall {
  private static final Logger LOG = LoggerFactory.getLogger(ServerCall.class);
  /**
   * The most credits one frame may grant (the largest read window a client is configured with). A hostile grant
   * of 2^31 would otherwise let a single CREDIT frame release a whole block into the outbound queue at once.
   */
  static final int MAX_CREDITS_PER_GRANT = 1024;

  private final Channel channel;
  private final Frame request;
  private final FrameHeader header;
  private final String user;
  private final String clientId;
  private final ServerDispatcher owner;
  private final AtomicBoolean done = new AtomicBoolean();
  private final long startNanos = System.nanoTime();
  private volatile StreamListener listener;
  /** Guarded by {@code this}: whether the request's buffers were freed, after which its body cannot be parsed. */
  private boolean released;

  ServerCall(Channel channel, Frame request, String user, String clientId, ServerDispatcher owner) {
    this.channel = channel;
    this.request = request;
    int credits = request.header().getCredits();
    // uint32 on the wire: a "negative" int is a grant over 2^31.
    this.header = credits >= 0 && credits <= MAX_CREDITS_PER_GRANT ? request.header()
        : request.header().toBuilder().setCredits(MAX_CREDITS_PER_GRANT).build();
    this.user = user;
    this.clientId = clientId;
    this.owner = owner;
    owner.observer().callStarted(method());
  }

  public long callId() {
    return request.header().getCallId();
  }

  public int method() {
    return request.header().getMethod();
  }

  /**
   * The opening frame's header (e.g. the initial credits of a read stream, at most
   * {@value #MAX_CREDITS_PER_GRANT}).
   */
  public FrameHeader header() {
    return header;
  }

  /** The user named in the connection's handshake. */
  public String user() {
    return user;
  }

  /** The client named in the handshake (one id per client object, across its connections and reconnects). */
  public String clientId() {
    return clientId;
  }

  /**
   * The id the client gave this logical call, the same on each retry (0 when the client does not retry it).
   * {@code (clientId(), requestId())} identifies a mutation for deduplication.
   */
  public long requestId() {
    return request.header().getRequestId();
  }

  public SocketAddress remoteAddress() {
    return channel.remoteAddress();
  }

  public Channel channel() {
    return channel;
  }

  /**
   * Parses the request body; a malformed body fails with INVALID_ARGUMENT. So does parsing after the body was
   * freed: a ONE_WAY call handed to another thread by a service that expects requests (fuzzing found the master
   * doing so; it read a freed buffer). Parsing and freeing exclude each other, so the bytes never change under the
   * parser.
   */
  public synchronized <T extends Message> T parse(com.google.protobuf.Parser<T> parser) throws RpcException {
    if (released) {
      throw new RpcException(Status.INVALID_ARGUMENT, "call " + callId() + ": the body of a " + header.getKind()
          + " call is gone once its handler returned");
    }
    return request.parseBody(parser);
  }

  private synchronized void releaseRequest() {
    released = true;
    request.release();
  }

  /** Receives the client's stream frames for this call. Set it before {@link RpcHandler#handle} returns. */
  public void setStreamListener(StreamListener l) {
    this.listener = l;
  }

  /** Whether the call has been answered or aborted. */
  public boolean isDone() {
    return done.get();
  }

  /**
   * Sends one STREAM_DATA frame of a read stream.
   *
   * @param data a {@code ByteBuf} or {@code FileRegion}; ownership passes to the transport, which releases it
   *     (closing the region's file) when sent or when the connection fails
   * @param chunkCrcs the CRC32C of each chunk of the data (see {@code FrameHeader.chunk_crcs}); empty when none is
   *     known
   */
  public ChannelFuture sendData(long offset, Iterable<Integer> chunkCrcs, ReferenceCounted data, long length) {
    FrameHeader.Builder h = FrameHeader.newBuilder().setCallId(callId()).setMethod(method())
        .setKind(FrameKind.STREAM_DATA).setOffset(offset).addAllChunkCrcs(chunkCrcs);
    return channel.writeAndFlush(new OutboundFrame(h, null, data, length));
  }

  /** Answers the call with {@code body}. */
  public void respond(Message body) {
    finish(FrameHeader.newBuilder().setStatus(Status.OK), body);
  }

  /** Answers the call with an error. */
  public void fail(Status status, String message) {
    finish(FrameHeader.newBuilder().setStatus(status).setError(message == null ? "" : message), null);
  }

  /**
   * Answers the call with the error {@code t} describes: an {@link RpcException}'s status, message and leader;
   * anything else is a bug on our side, logged with its stack trace and answered INTERNAL.
   */
  public void fail(Throwable t) {
    if (t instanceof RpcException e) {
      finish(FrameHeader.newBuilder().setStatus(e.status()).setError(String.valueOf(e.getMessage()))
          .setLeader(e.leader()), null);
    } else {
      LOG.error("call {} method {} from {} failed", callId(), method(), channel.remoteAddress(), t);
      fail(Status.INTERNAL, t.toString());
    }
  }

  private void finish(FrameHeader.Builder h, Message body) {
    if (!done.compareAndSet(false, true)) {
      return;
    }
    owner.remove(this);
    releaseRequest();
    owner.observer().callEnded(method(), h.getStatus(), System.nanoTime() - startNanos);
    if (request.header().getKind() == FrameKind.ONE_WAY) {
      return;
    }
    h.setCallId(callId()).setMethod(method()).setKind(FrameKind.RESPONSE);
    channel.writeAndFlush(OutboundFrame.of(h, body)).addListener((ChannelFutureListener) f -> {
      // An answer that could not be encoded is our fault: the connection closes with a log line. An answer to a
      // peer that already left is no news (it used to log a WARN per late answer).
      if (!f.isSuccess() && f.channel().isActive()) {
        f.channel().pipeline().fireExceptionCaught(f.cause());
      }
    });
  }

  /** Ends a ONE_WAY call once its handler returned: frees the request. */
  void closeOneWay() {
    finish(FrameHeader.newBuilder(), null);
  }

  /** Routes a stream frame of this call to its listener; without one the frame is dropped. */
  void deliver(Frame frame) {
    StreamListener l = listener;
    FrameKind kind = frame.header().getKind();
    if (l == null || done.get()) {
      frame.release();
      return;
    }
    switch (kind) {
      case STREAM_DATA -> l.onData(frame);
      case STREAM_END -> {
        frame.release();
        l.onEnd();
      }
      case CREDIT -> {
        frame.release();
        int granted = frame.header().getCredits();
        if (granted != 0) {
          l.onCredit(granted < 0 || granted > MAX_CREDITS_PER_GRANT ? MAX_CREDITS_PER_GRANT : granted);
        }
      }
      default -> {
        frame.release();
        abort(new RpcException(Status.UNAVAILABLE, "call cancelled by the client"));
      }
    }
  }

  /** Ends the call without an answer: the client cancelled or the connection closed. */
  void abort(RpcException cause) {
    if (!done.compareAndSet(false, true)) {
      return;
    }
    owner.remove(this);
    releaseRequest();
    owner.observer().callEnded(method(), cause.status(), System.nanoTime() - startNanos);
    StreamListener l = listener;
    if (l != null) {
      l.onAbort(cause);
    }
  }
}
