package io.sluice.common.rpc;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.sluice.common.proto.FrameHeader;
import io.sluice.common.proto.FrameKind;
import io.sluice.common.proto.Status;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a client connection: completes the handshake, matches RESPONSE frames to pending calls by
 * call id, routes stream data to the call's listener, fails every pending call when the connection closes, and
 * wakes writers blocked on writability.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ClientHandler.class);

  final CompletableFuture<Void> handshake = new CompletableFuture<>();
  private final Map<Long, PendingCall> pending = new ConcurrentHashMap<>();
  private final Object writability = new Object();
  private volatile RpcException closedCause;
  /** Told of writability changes, on the event loop (see {@link RpcClient#onWritabilityChanged}). */
  volatile Runnable writabilityListener;

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
        frame.release();
        if (h.getStatus() == Status.OK) {
          handshake.complete(null);
        } else {
          handshake.completeExceptionally(new RpcException(h.getStatus(), "handshake refused: " + h.getError()));
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
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.warn("closing connection to {}: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
