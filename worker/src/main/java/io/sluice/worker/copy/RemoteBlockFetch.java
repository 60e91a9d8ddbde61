package io.sluice.worker.copy;

import io.sluice.common.checksum.ChunkChecksums;
import io.sluice.common.proto.FrameHeader;
import io.sluice.common.proto.ReadBlockRequest;
import io.sluice.common.proto.ReadBlockResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerMethod;
import io.sluice.common.rpc.ClientStream;
import io.sluice.common.rpc.Frame;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.StreamListener;
import io.sluice.worker.block.TempBlock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads a whole block from another worker (one READ_BLOCK call from offset 0 to the block's end) into a
 * {@link TempBlock}, on the calling thread: the event loop only queues what arrives. Every frame must continue the
 * block where it stands and match the chunk CRC32Cs it carries, which become the copy's stored checksums, so the
 * copy is verified end to end without summing the bytes twice. The worker sends at most {@code credits} frames
 * ahead of what was written, so memory is bounded by {@code credits} frames.
 *
 * <p>Ownership: every data frame is released exactly once, by {@link #into} once written or on failure, by
 * {@link #close} when still queued, or by {@link #onData} when it arrives after close.
 */
final class RemoteBlockFetch implements StreamListener, AutoCloseable {
  /** What the event loop hands over: a data frame, the end (with the block's length), or the call's failure. */
  private sealed interface Event permits Data, End, Failed {}

  private record Data(Frame frame) implements Event {}

  private record End(long blockLength) implements Event {}

  private record Failed(RpcException cause) implements Event {}

  private final long blockId;
  private final String source;
  private final Duration timeout;
  private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private ClientStream stream;
  private boolean closed; // guarded by this

  private RemoteBlockFetch(long blockId, String source, Duration timeout) {
    this.blockId = blockId;
    this.source = source;
    this.timeout = timeout;
  }

  /**
   * Opens the read of block {@code blockId} on {@code worker}; no UFS source is sent, so a worker that does not
   * hold the block answers NOT_FOUND rather than read it through.
   *
   * @param timeout the longest wait for the next frame
   */
  static RemoteBlockFetch open(RpcClient worker, long blockId, int chunkSize, int credits, Duration timeout) {
    RemoteBlockFetch f = new RemoteBlockFetch(blockId, worker.address().getHostString() + ":"
        + worker.address().getPort(), timeout);
    ReadBlockRequest req = ReadBlockRequest.newBuilder().setBlockId(blockId).setOffset(0).setLength(-1)
        .setChunkSize(chunkSize).build();
    f.stream = worker.openStream(WorkerMethod.READ_BLOCK_VALUE, req, credits, f);
    f.stream.response().whenComplete(f::onResponse);
    return f;
  }

  /**
   * Writes the block into {@code temp} (not committing it).
   *
   * @param expected the block's length as the master knows it: no credit is granted once that much arrived, since
   *     the worker has answered then
   * @throws RpcException the source's error, IO_ERROR for a frame out of place, without checksums or not matching
   *     them, or a short block, UNAVAILABLE when nothing arrives within the timeout; the temp's own write errors
   */
  void into(TempBlock temp, long expected) throws RpcException {
    while (true) {
      Event e = next();
      if (e instanceof Failed f) {
        throw f.cause();
      }
      if (e instanceof End end) {
        if (end.blockLength() != temp.length()) {
          throw new RpcException(Status.IO_ERROR, what() + ": got " + temp.length() + " bytes of "
              + end.blockLength());
        }
        return;
      }
      Frame frame = ((Data) e).frame();
      try {
        append(frame, temp);
      } finally {
        frame.release();
      }
      if (temp.length() < expected) {
        stream.grant(1);
      }
    }
  }

  private void append(Frame frame, TempBlock temp) throws RpcException {
    FrameHeader h = frame.header();
    List<Integer> sums = h.getChunkCrcsList();
    if (h.getOffset() != temp.length()) {
      throw new RpcException(Status.IO_ERROR, what() + ": data at offset " + h.getOffset() + " but "
          + temp.length() + " bytes copied");
    }
    if (sums.isEmpty()) {
      throw new RpcException(Status.IO_ERROR, what() + ": data without checksums");
    }
    long bad = ChunkChecksums.firstMismatch(sums, frame.data().nioBuffers());
    if (bad >= 0) {
      throw new RpcException(Status.IO_ERROR, what() + ": checksum mismatch in the chunk at offset "
          + (h.getOffset() + bad));
    }
    temp.append(frame.data(), sums);
  }

  private Event next() throws RpcException {
    Event e;
    try {
      e = events.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new RpcException(Status.UNAVAILABLE, what() + ": interrupted (worker stopping)", ie);
    }
    if (e == null) {
      throw new RpcException(Status.UNAVAILABLE, what() + ": nothing within " + timeout.toMillis() + " ms");
    }
    return e;
  }

  private String what() {
    return "block " + blockId + " from " + source;
  }

  @Override
  public void onData(Frame frame) {
    synchronized (this) {
      if (!closed) {
        events.add(new Data(frame));
        return;
      }
    }
    frame.release();
  }

  @Override
  public void onAbort(RpcException cause) {
    events.add(new Failed(cause));
  }

  /** The final RESPONSE: every data frame of the call arrived before it. */
  private void onResponse(Frame response, Throwable failure) {
    if (response != null) {
      try {
        events.add(new End(response.parseBody(ReadBlockResponse.parser()).getBlockLength()));
      } catch (RpcException e) {
        events.add(new Failed(e));
      } finally {
        response.release();
      }
      return;
    }
    Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
        : failure;
    events.add(new Failed(t instanceof RpcException re ? re
        : new RpcException(Status.INTERNAL, what() + ": " + t, t)));
  }

  /** Cancels the call if it still runs and releases every frame still queued. Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    for (Event e; (e = events.poll()) != null; ) {
      if (e instanceof Data d) {
        d.frame().release();
      }
    }
    stream.cancel();
  }
}
