package io.sluice.client;

import io.netty.buffer.ByteBuf;
import io.sluice.client.block.BlockWriter;
import io.sluice.client.block.WriteChunkPool;
import io.sluice.common.proto.BlockInfo;
import io.sluice.common.rpc.RpcException;

/**
 * A new version of one block that a {@link FileEditor} sends to its worker as the block is rewritten from its start,
 * in order: the bytes go out as a stream writer's do, instead of through a temporary file that the commit reads back.
 * Bytes are sent a whole pooled chunk at a time (the writer takes a piece ending inside a checksum chunk only last).
 * Not thread-safe: the editor's lock guards it.
 */
final class StreamedVersion {
  private final int index;
  private final BlockInfo version;
  private final BlockWriter writer;
  private final WriteChunkPool chunks;
  private final int chunkSize;
  private final long startedNanos = System.nanoTime();
  /** Bytes taken, from the block's start: those sent plus those in {@link #pending}. */
  private long written;
  private ByteBuf pending;
  /** The version as written, once finished. */
  private BlockInfo finished;
  private boolean aborted;

  /**
   * @param index the block's index in the file
   * @param version the block version allocated for the new content
   * @param writer a writer open on {@code version}; this object owns it from now on
   */
  StreamedVersion(int index, BlockInfo version, BlockWriter writer, WriteChunkPool chunks, int chunkSize) {
    this.index = index;
    this.version = version;
    this.writer = writer;
    this.chunks = chunks;
    this.chunkSize = chunkSize;
  }

  int index() {
    return index;
  }

  long blockId() {
    return version.getBlockId();
  }

  /** Nanoseconds since the version was allocated. */
  long ageNanos() {
    return System.nanoTime() - startedNanos;
  }

  /** Bytes of the block taken so far: the next write must start here. */
  long written() {
    return written;
  }

  /** Takes {@code len} bytes as the block's next. */
  void write(byte[] b, int off, int len) throws RpcException {
    while (len > 0) {
      if (pending == null) {
        pending = chunks.acquire(chunkSize);
      }
      int n = Math.min(len, pending.writableBytes());
      pending.writeBytes(b, off, n);
      written += n;
      off += n;
      len -= n;
      if (!pending.isWritable()) {
        send();
      }
    }
  }

  /**
   * Sends what is pending and waits for the worker to commit the block.
   *
   * @return the version as written: its length and the workers holding it
   */
  BlockInfo finish() throws RpcException {
    if (finished == null) {
      if (pending != null) {
        send();
      }
      writer.finish();
      finished = version.toBuilder().setLength(written).setCached(true).build();
    }
    return finished;
  }

  /** Whether {@link #finish} succeeded: the version holds {@link #written} bytes and takes no more. */
  boolean finished() {
    return finished != null;
  }

  /** Gives the version up unless it finished: the worker discards it. Idempotent. */
  void abort() {
    if (pending != null) {
      pending.release();
      pending = null;
    }
    if (finished == null && !aborted) {
      aborted = true;
      writer.abort();
    }
  }

  private void send() throws RpcException {
    ByteBuf chunk = pending;
    pending = null;
    writer.write(chunk); // takes the chunk, even when it throws
  }
}
