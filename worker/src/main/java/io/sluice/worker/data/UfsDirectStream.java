package io.sluice.worker.data;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.sluice.common.proto.ReadBlockResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.UfsBlockSource;
import io.sluice.common.rpc.Frame;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.ServerCall;
import io.sluice.common.rpc.StreamListener;
import io.sluice.worker.ufs.UfsBlockReader;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Serves one READ_BLOCK call straight from the UFS without caching the block: the client asked for no caching, or
 * the store has no room. Each chunk is read on a UFS thread into a pooled buffer, only once the client has credit
 * for it, and handed to the event loop to send; so a reader holds at most one chunk of memory and a slow client
 * holds no UFS thread. The UFS stream is opened by the first read and closed on a UFS thread when the stream ends.
 *
 * <p>Threading: the call's state lives on the event loop; the UFS stream is touched only by UFS tasks, one at a
 * time ({@code reading} is set while one is queued or running), each started from the event loop, which orders
 * them.
 */
final class UfsDirectStream implements StreamListener {
  private final ServerCall call;
  private final EventLoop loop;
  private final UfsBlockSource source;
  private final long offset;
  private final long end;
  private final int chunk;
  private final DataTraffic traffic;
  private final Executor ufsThreads;
  private final UfsBlockReader reader;
  private long position;
  private int credits;
  private boolean reading;
  private boolean ended;
  private InputStream in; // UFS threads only

  UfsDirectStream(ServerCall call, UfsBlockSource source, long offset, long end, int chunk, DataTraffic traffic,
      Executor ufsThreads, UfsBlockReader reader) {
    this.call = call;
    this.loop = call.channel().eventLoop();
    this.source = source;
    this.offset = offset;
    this.position = offset;
    this.end = end;
    this.chunk = chunk;
    this.traffic = traffic;
    this.ufsThreads = ufsThreads;
    this.reader = reader;
  }

  void start() {
    call.setStreamListener(this);
    onCredit(Math.max(1, call.header().getCredits()));
  }

  @Override
  public void onCredit(int granted) {
    credits += granted;
    pump();
  }

  private void pump() {
    if (ended || reading) {
      return;
    }
    if (position >= end) {
      call.respond(ReadBlockResponse.newBuilder().setBlockLength(source.getLength()).build());
      finish();
      return;
    }
    if (credits == 0) {
      return;
    }
    int n = (int) Math.min(chunk, end - position);
    long at = position;
    reading = true;
    try {
      ufsThreads.execute(() -> read(at, n));
    } catch (RejectedExecutionException e) {
      reading = false;
      call.fail(new RpcException(Status.UNAVAILABLE, "the worker is shutting down"));
      finish();
    }
  }

  /** On a UFS thread: reads the chunk at {@code at} and hands it (or the failure) to the event loop. */
  private void read(long at, int n) {
    ByteBuf buf = null;
    RpcException failure = null;
    try {
      if (in == null) {
        in = reader.open(source, offset, end - offset);
      }
      buf = call.channel().alloc().directBuffer(n, n);
      while (buf.isWritable()) {
        if (buf.writeBytes(in, buf.writableBytes()) < 0) {
          throw reader.shortRead(source, at - offset + buf.readableBytes(), end - offset);
        }
      }
    } catch (RpcException e) {
      failure = e;
    } catch (IOException e) {
      failure = reader.readFailed(source, e);
    } catch (RuntimeException e) {
      // Answered like any failure, so the call never waits for a chunk that will not come.
      failure = new RpcException(Status.INTERNAL, "reading " + source.getUfsPath() + " from the UFS: " + e, e);
    }
    if (failure != null && buf != null) {
      buf.release();
      buf = null;
    }
    ByteBuf data = buf;
    RpcException error = failure;
    try {
      loop.execute(() -> delivered(at, data, error));
    } catch (RejectedExecutionException e) {
      if (data != null) {
        data.release(); // the server is shutting down; its calls are aborted
      }
      closeStream();
    }
  }

  /** On the event loop: sends a chunk read, or fails the call. */
  private void delivered(long at, ByteBuf data, RpcException failure) {
    reading = false;
    if (ended) {
      if (data != null) {
        data.release();
      }
      closeQuietly();
      return;
    }
    if (failure != null) {
      call.fail(failure);
      finish();
      return;
    }
    int n = data.readableBytes();
    credits--;
    call.sendData(at, List.of(), data, n).addListener((ChannelFutureListener) f -> {
      if (f.isSuccess()) {
        traffic.sent(n);
      } else if (f.channel().isActive()) {
        call.fail(new RpcException(Status.IO_ERROR, "sending block data: " + f.cause()));
        finish();
      }
    });
    position += n;
    pump();
  }

  @Override
  public void onData(Frame frame) {
    frame.release(); // a reader sends no data
  }

  @Override
  public void onAbort(RpcException cause) {
    finish();
  }

  /** Ends the stream; the UFS stream is closed now, or by the read in flight when it comes back. */
  private void finish() {
    if (ended) {
      return;
    }
    ended = true;
    if (!reading) {
      closeQuietly();
    }
  }

  /** From the event loop: closes the UFS stream on a UFS thread (closing may block, e.g. draining a connection). */
  private void closeQuietly() {
    try {
      ufsThreads.execute(this::closeStream);
    } catch (RejectedExecutionException e) {
      closeStream();
    }
  }

  private void closeStream() {
    if (in == null) {
      return;
    }
    try {
      in.close();
    } catch (IOException ignored) {
      // Read-only: nothing is lost.
    }
    in = null;
  }
}
