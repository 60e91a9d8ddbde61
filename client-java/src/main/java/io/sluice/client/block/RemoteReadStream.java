package io.sluice.client.block;

import io.netty.buffer.ByteBuf;
import io.sluice.common.checksum.ChunkChecksums;
import io.sluice.common.proto.BlockInfo;
import io.sluice.common.proto.FrameHeader;
import io.sluice.common.proto.ReadBlockRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerMethod;
import io.sluice.common.rpc.ClientStream;
import io.sluice.common.rpc.Frame;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.StreamListener;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One READ_BLOCK call: the bytes {@code [offset, end)} of a block from one worker, with credit-based read-ahead.
 *
 * <p>The worker may send as many frames as it holds credits; the stream opens with {@code credits} and grants one
 * more each time the reader has fully consumed a frame, so frames queued plus frames in flight never exceed the
 * opening credits, and memory per stream is bounded by {@code credits * chunk size}. The event loop only queues
 * frames ({@link #onData}); checking offsets and CRCs and copying happen on the reader's thread.
 *
 * <p>Ownership: every frame the worker sends is released exactly once: by the reader when consumed, by
 * {@link #close()} when still queued, or by {@link #onData} when it arrives after close. The final RESPONSE frame
 * is released as soon as it arrives. One reader thread; {@code close} may race with the event loop, never with
 * the reader.
 */
final class RemoteReadStream implements ReadStream, StreamListener {
  /**
   * Bytes copied out per step: whole chunks, small enough to stay in a core's cache between check and copy. Measured
   * at 256 KiB (bench/RESULTS.md); a size in bytes, not in chunks, since the cache does not change with the chunk.
   */
  private static final int PIECE = Math.max(1, (256 << 10) / ChunkChecksums.CHUNK) * ChunkChecksums.CHUNK;

  private final String what;
  private final long end;
  private final long timeoutNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  // Guarded by lock: what the event loop hands over.
  private final ArrayDeque<Frame> queue = new ArrayDeque<>();
  private long queuedBytes;
  private boolean ended;
  private RpcException error;
  private boolean closed;

  /** Set with {@code ended}, readable without the lock: no credit is granted once the worker has answered. */
  private volatile boolean responded;

  // Reader thread only.
  private ClientStream stream;
  private Frame current;
  private long position;
  /** The current frame's chunk checksums (empty: none, nothing to check), block offset, first index and size. */
  private List<Integer> frameSums = List.of();
  private long frameStart;
  private int frameBase;
  private int frameSize;
  /** Bytes of the current frame, from its start, already checked against their checksums. */
  private int verified;

  private RemoteReadStream(String what, long offset, long end, long timeoutNanos) {
    this.what = what;
    this.position = offset;
    this.end = end;
    this.timeoutNanos = timeoutNanos;
  }

  /**
   * Opens a READ_BLOCK call for {@code [offset, offset + length)} of {@code block} on {@code worker}. A block of a
   * UFS-backed file carries its UFS source, so that a worker not holding it reads it through.
   *
   * @param what names the block in errors, e.g. {@code /a/b: block 42 on host:7080}
   */
  static RemoteReadStream open(RpcClient worker, BlockInfo block, long offset, long length, ReadOptions opts,
      String what) {
    RemoteReadStream s = new RemoteReadStream(what, offset, offset + length, opts.timeout().toNanos());
    ReadBlockRequest.Builder req = ReadBlockRequest.newBuilder().setBlockId(block.getBlockId()).setOffset(offset)
        .setLength(length).setChunkSize(opts.chunkSize());
    if (block.hasUfs()) {
      req.setUfs(block.getUfs());
    }
    s.stream = worker.openStream(WorkerMethod.READ_BLOCK.getNumber(), req.build(), opts.creditsFor(length), s);
    s.stream.response().whenComplete(s::onResponse);
    return s;
  }

  @Override
  public long position() {
    return position;
  }

  /**
   * Copies up to {@code dst.remaining()} bytes at {@link #position()}, waiting at most the timeout for the next
   * frame.
   *
   * @return bytes copied (at least 1 when {@code dst} has room), or -1 at the end of the range
   * @throws RpcException the worker's error, IO_ERROR for a misplaced or missing frame, {@link CorruptChunkException}
   *     for bytes that do not match their checksums, UNAVAILABLE on a timeout; the stream is then unusable
   */
  @Override
  public int read(ByteBuffer dst) throws IOException {
    if (position == end) {
      return -1;
    }
    if (current == null) {
      current = next();
    }
    ByteBuf data = current.data();
    int n = (int) Math.min(Math.min(dst.remaining(), data.readableBytes()), end - position);
    int limit = dst.limit();
    try {
      for (int done = 0; done < n; ) {
        int k = Math.min(PIECE, n - done);
        verifyTo(position + done + k);
        data.readBytes(dst.limit(dst.position() + k));
        done += k;
      }
    } finally {
      dst.limit(limit);
    }
    position += n;
    if (!data.isReadable() || position == end) {
      consumed();
    }
    return n;
  }

  @Override
  public long buffered() {
    lock.lock();
    try {
      return Math.min(end - position, queuedBytes + (current == null ? 0 : current.data().readableBytes()));
    } finally {
      lock.unlock();
    }
  }

  /** The worker sends forward only: going back means a new stream. */
  @Override
  public boolean rewind(long target) {
    return false;
  }

  /**
   * Skips up to {@code n} bytes from what is already buffered, without waiting.
   *
   * @return the bytes skipped: {@code n} unless less was buffered
   */
  @Override
  public long skipBuffered(long n) throws IOException {
    long skipped = 0;
    while (skipped < n) {
      if (current == null) {
        Frame f = poll();
        if (f == null) {
          break;
        }
        check(f);
        current = f;
      }
      ByteBuf data = current.data();
      int k = (int) Math.min(Math.min(n - skipped, data.readableBytes()), end - position);
      data.skipBytes(k);
      position += k;
      skipped += k;
      if (!data.isReadable() || position == end) {
        consumed();
      }
      if (position == end) {
        break;
      }
    }
    return skipped;
  }

  /** Releases the fully read current frame and returns its credit, unless no more frames will come. */
  private void consumed() {
    current.release();
    current = null;
    if (position < end && !responded) {
      stream.grant(1);
    }
  }

  /** The next frame, checked; waits up to the timeout. */
  private Frame next() throws IOException {
    long left = timeoutNanos;
    lock.lock();
    try {
      while (queue.isEmpty()) {
        if (error != null) {
          throw error;
        }
        if (ended) {
          throw new RpcException(Status.IO_ERROR, what + ": the worker ended the stream at offset " + position
              + ", before " + end);
        }
        if (closed) {
          throw new RpcException(Status.UNAVAILABLE, what + ": stream closed");
        }
        if (left <= 0) {
          throw new RpcException(Status.UNAVAILABLE, what + ": no data at offset " + position + " within "
              + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
        }
        left = changed.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(what + ": interrupted while reading at offset " + position);
    } finally {
      lock.unlock();
    }
    Frame f = poll();
    check(f);
    return f;
  }

  /** Takes the head of the queue, or null. */
  private Frame poll() {
    lock.lock();
    try {
      Frame f = queue.poll();
      if (f != null) {
        queuedBytes -= f.data().readableBytes();
      }
      return f;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Fails (releasing {@code f}) unless the frame is the next piece of the range with one checksum per chunk (or
   * none); then makes it the frame {@link #verifyTo} checks and skips its bytes before {@link #position}. A frame with
   * checksums holds whole chunks, so it starts at the chunk holding the next byte and may run past the range's end;
   * one without (bytes streamed while read through from the UFS, which have no stored checksum yet) holds exactly
   * the next bytes.
   */
  private void check(Frame f) throws RpcException {
    FrameHeader h = f.header();
    ByteBuf data = f.data();
    List<Integer> sums = h.getChunkCrcsList();
    long start = sums.isEmpty() ? position : position - position % ChunkChecksums.CHUNK;
    long limit = sums.isEmpty() ? end : end + ChunkChecksums.CHUNK - 1;
    String problem = null;
    if (h.getOffset() != start) {
      problem = "frame at offset " + h.getOffset() + " where " + start + " was expected";
    } else if (data.readableBytes() <= position - start || h.getOffset() + data.readableBytes() > limit) {
      problem = "frame of " + data.readableBytes() + " bytes at offset " + h.getOffset() + " for the range at "
          + position + " ending at " + end;
    } else if (!sums.isEmpty() && sums.size() != ChunkChecksums.chunks(data.readableBytes())) {
      problem = "frame of " + data.readableBytes() + " bytes with " + sums.size() + " chunk checksums";
    }
    if (problem != null) {
      f.release();
      throw new RpcException(Status.IO_ERROR, what + ": " + problem);
    }
    frameSums = sums;
    frameStart = h.getOffset();
    frameBase = data.readerIndex();
    frameSize = data.readableBytes();
    verified = sums.isEmpty() ? frameSize : 0;
    data.skipBytes((int) (position - start));
  }

  /**
   * Checks the current frame's chunks up to the one holding the byte before block offset {@code to}, each against
   * its CRC32C, right before its bytes are copied out: one chunk is still in the CPU cache for the copy, where
   * checking the whole frame on arrival made a second pass over memory.
   *
   * @throws CorruptChunkException when a chunk does not match: the worker's copy is corrupt
   */
  private void verifyTo(long to) throws CorruptChunkException {
    while (frameStart + verified < to) {
      int n = Math.min(ChunkChecksums.CHUNK, frameSize - verified);
      int i = verified / ChunkChecksums.CHUNK;
      if (ChunkChecksums.firstMismatch(frameSums.subList(i, i + 1), current.data().nioBuffers(frameBase + verified,
          n)) >= 0) {
        long at = frameStart + verified;
        current.release();
        current = null;
        throw new CorruptChunkException(what, at);
      }
      verified += n;
    }
  }

  /** Cancels the call if it is still running and releases every frame held. Idempotent. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      for (Frame f; (f = queue.poll()) != null; ) {
        f.release();
      }
      queuedBytes = 0;
    } finally {
      lock.unlock();
    }
    if (current != null) {
      current.release();
      current = null;
    }
    // After cancel the connection drops late frames of this call; any that raced in were released by onData.
    stream.cancel();
  }

  @Override
  public void onData(Frame frame) {
    lock.lock();
    try {
      if (closed) {
        frame.release();
        return;
      }
      queue.add(frame);
      queuedBytes += frame.data().readableBytes();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void onAbort(RpcException cause) {
    fail(cause);
  }

  /** The final RESPONSE: data frames of the call all came before it, so the queue is complete. */
  private void onResponse(Frame response, Throwable failure) {
    if (response != null) {
      response.release();
    }
    if (failure == null) {
      lock.lock();
      try {
        ended = true;
        responded = true;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
      return;
    }
    Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
        : failure;
    fail(t instanceof RpcException re ? re : new RpcException(Status.INTERNAL, String.valueOf(t), t));
  }

  private void fail(RpcException cause) {
    lock.lock();
    try {
      if (error == null) {
        String msg = String.valueOf(cause.getMessage());
        error = msg.contains(what) ? cause : new RpcException(cause.status(), what + ": " + msg, cause);
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
