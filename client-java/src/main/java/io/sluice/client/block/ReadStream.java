package io.sluice.client.block;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The bytes {@code [offset, end)} of one block from one worker, however they travel: over the block RPC
 * ({@link RemoteReadStream}) or, for a worker on this host, from the block file itself under the worker's lease
 * ({@link LocalReadStream}). {@link BlockReader} picks one per location. One reader thread.
 */
sealed interface ReadStream permits RemoteReadStream, LocalReadStream {
  /** Offset in the block of the next byte {@link #read} returns. */
  long position();

  /**
   * Copies up to {@code dst.remaining()} bytes at {@link #position()} into {@code dst}, advancing its position by
   * the count; its limit is left as it was. A direct {@code dst} (a native buffer, such as a FUSE request's) is
   * filled without a copy through the Java heap.
   *
   * @return bytes copied (at least 1 when {@code dst} has room), or -1 at the end of the range
   * @throws IOException the stream is then unusable, and {@code dst}'s position is undefined: an
   *     {@code RpcException} with the worker's error or IO_ERROR, or an {@code InterruptedIOException}
   */
  int read(ByteBuffer dst) throws IOException;

  /** Bytes that can be read without waiting for the worker. */
  long buffered();

  /**
   * Skips up to {@code n} bytes of what {@link #buffered()} counts, without waiting.
   *
   * @return the bytes skipped: {@code n} unless less was buffered
   */
  long skipBuffered(long n) throws IOException;

  /**
   * Moves back to {@code target}, before {@link #position()}, without a round trip, when this kind of stream can (a
   * short-circuit stream: the whole block file is here under its lease); else false, and the caller opens a new one.
   */
  boolean rewind(long target);

  /** Releases everything the stream holds (frames, file, lease). Idempotent. */
  void close();
}
