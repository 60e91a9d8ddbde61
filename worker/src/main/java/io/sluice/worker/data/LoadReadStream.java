package io.sluice.worker.data;

import io.netty.channel.ChannelFutureListener;
import io.netty.util.ReferenceCounted;
import io.sluice.common.proto.ReadBlockResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.Frame;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.ServerCall;
import io.sluice.common.rpc.StreamListener;
import io.sluice.worker.ufs.BlockLoad;
import java.io.IOException;
import java.util.List;

/**
 * Serves one READ_BLOCK call of a block that is being read through from the UFS, by following its
 * {@link BlockLoad}: the range goes out as the load writes it, one chunk-sized STREAM_DATA frame per credit, each
 * a zero-copy region of the load's shared file (or a copy of it, as the {@link TransferMode} says), sent once the
 * whole chunk (or the rest of the range) is in the file. So the first frame leaves as soon as its bytes arrived,
 * not when the block is complete, and frames have the same size as for a cached block.
 *
 * <p>Threading: everything here runs on the connection's event loop. The load wakes the stream from its UFS thread
 * through {@link #waker()}, which only queues {@link #pump()} on the event loop ({@link LoopWaker}). The stream
 * holds a reference to the load's file until it ends; every region it sends holds its own, released by the
 * transport, so the file (and the lease on the committed block) outlives the last frame. Ending this stream (the
 * client went away) never stops the load.
 */
final class LoadReadStream implements StreamListener {
  private final ServerCall call;
  private final long end;
  private final int chunk;
  private final DataTraffic traffic;
  private final TransferMode mode;
  private final LoopWaker waker;
  private BlockLoad load;
  private long position;
  private int credits;
  private boolean ended;

  /** @param mode a region of the file per frame, or a copy ({@link TransferMode#effective}: always under TLS) */
  LoadReadStream(ServerCall call, long offset, long end, int chunk, DataTraffic traffic, TransferMode mode) {
    this.call = call;
    this.waker = new LoopWaker(call.channel().eventLoop(), this::pump);
    this.position = offset;
    this.end = end;
    this.chunk = chunk;
    this.traffic = traffic;
    this.mode = mode;
  }

  /** What the load calls on progress; the same instance throughout, so it can be unfollowed. */
  Runnable waker() {
    return waker;
  }

  /** Starts sending; {@code joined} is the load this stream follows, holding a file reference for it. */
  void start(BlockLoad joined) {
    this.load = joined;
    call.setStreamListener(this);
    onCredit(Math.max(1, call.header().getCredits()));
  }

  @Override
  public void onCredit(int granted) {
    credits += granted;
    pump();
  }

  private void pump() {
    if (ended || load == null) {
      return; // a wake may come before start; start pumps itself
    }
    if (call.isDone()) {
      finish();
      return;
    }
    RpcException failure = load.failure();
    if (failure != null) {
      call.fail(failure);
      finish();
      return;
    }
    long available = load.available();
    // A send failing inline ends the stream (and releases the file) from its listener: stop then.
    while (credits > 0 && position < end && !ended) {
      long n = Math.min(chunk, end - position);
      if (position + n > available) {
        break; // wait for the whole chunk: frames stay chunk-sized however the UFS delivers
      }
      ReferenceCounted data;
      try {
        data = mode == TransferMode.ZERO_COPY ? load.file().region(position, n)
            : load.file().copy(call.channel().alloc(), position, (int) n);
      } catch (IOException e) {
        call.fail(new RpcException(Status.IO_ERROR, "reading block " + load.blockId() + " at " + position + ": " + e));
        finish();
        return;
      }
      credits--;
      call.sendData(position, List.of(), data, n).addListener(
          (ChannelFutureListener) f -> {
            if (f.isSuccess()) {
              if (mode == TransferMode.ZERO_COPY) {
                traffic.sentZeroCopy(n);
              } else {
                traffic.sent(n);
              }
            } else if (f.channel().isActive()) {
              call.fail(new RpcException(Status.IO_ERROR, "reading block " + load.blockId() + ": " + f.cause()));
              finish();
            }
          });
      position += n;
    }
    if (ended) {
      return;
    }
    if (position < end && load.isComplete() && end > load.length()) {
      // Cannot happen while joins require the same source; never leave a reader waiting for bytes that won't come.
      call.fail(new RpcException(Status.INTERNAL, "block " + load.blockId() + " has " + load.length()
          + " bytes, range ends at " + end));
      finish();
      return;
    }
    if (position >= end && end == load.length() && !load.isComplete()) {
      return;  // all sent; answer once committed, so a reader that reads the block again finds it held (a hit)
    }
    if (position >= end) {
      // Frames are written in order, so the response follows the data on the wire.
      call.respond(ReadBlockResponse.newBuilder().setBlockLength(load.length()).build());
      finish();
    }
  }

  @Override
  public void onData(Frame frame) {
    frame.release(); // a reader sends no data
  }

  @Override
  public void onAbort(RpcException cause) {
    finish();
  }

  private void finish() {
    if (ended || load == null) {
      return;
    }
    ended = true;
    load.unfollow(waker);
    load.file().release();
  }
}
