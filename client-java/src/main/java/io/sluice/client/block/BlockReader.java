package io.sluice.client.block;

import io.sluice.common.proto.BlockInfo;
import io.sluice.common.proto.BlockLocation;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a byte range of one block from the workers that hold it. It streams from the first location it can
 * reach; when that worker fails (unreachable, lost the block, corrupt data, timeout) it resumes at the current
 * position on the next location, since committed blocks are immutable and every replica has the same bytes. Once
 * every location failed the read fails, naming the block and what each location answered.
 *
 * <p>Not thread-safe: one reader. {@link #close()} releases everything held and may be called at any time.
 */
public final class BlockReader implements Closeable {
  private final WorkerClientPool pool;
  private final BlockInfo block;
  private final ReadOptions options;
  private final String path;
  private final long end;
  private final List<String> failures = new ArrayList<>();
  private long position;
  private int nextLocation;
  private ReadStream stream;
  private RpcException lastFailure;
  private boolean closed;

  private BlockReader(WorkerClientPool pool, BlockInfo block, long offset, long end, ReadOptions options,
      String path) {
    this.pool = pool;
    this.block = block;
    this.position = offset;
    this.end = end;
    this.options = options;
    this.path = path;
  }

  /**
   * Starts reading {@code [offset, offset + length)} of {@code block} (which must lie inside it).
   *
   * @param path the file, for error messages
   * @throws RpcException UNAVAILABLE naming the block when none of its locations can be reached
   */
  public static BlockReader open(WorkerClientPool pool, BlockInfo block, long offset, long length,
      ReadOptions options, String path) throws RpcException {
    if (offset < 0 || length < 0 || offset + length > block.getLength()) {
      throw new IllegalArgumentException("range [" + offset + ", " + (offset + length) + ") outside block "
          + block.getBlockId() + " of " + block.getLength() + " bytes");
    }
    BlockReader r = new BlockReader(pool, block, offset, offset + length, options, path);
    if (length > 0) {
      r.connect();
    }
    return r;
  }

  public long blockId() {
    return block.getBlockId();
  }

  /** Offset in the block of the next byte to read. */
  public long position() {
    return position;
  }

  /** Offset in the block where this reader's range ends. */
  public long end() {
    return end;
  }

  /**
   * Reads up to {@code len} bytes at {@link #position()}.
   *
   * @return bytes read, at least 1 when {@code len > 0} and the range is not exhausted; -1 at its end
   */
  public int read(byte[] b, int off, int len) throws IOException {
    if (closed) {
      throw new IOException(path + ": block " + block.getBlockId() + ": reader closed");
    }
    if (position == end) {
      return -1;
    }
    if (len == 0) {
      return 0;
    }
    while (true) {
      if (stream == null) {
        connect();
      }
      try {
        int n = stream.read(b, off, len);
        position += n;
        return n;
      } catch (RpcException e) {
        // This location failed mid-range: drop it and resume from position on the next one.
        stream.close();
        stream = null;
        lastFailure = e;
        failures.add(e.getMessage());
      }
    }
  }

  /** Reads exactly {@code len} bytes; the range must hold them. */
  public void readFully(byte[] b, int off, int len) throws IOException {
    int done = 0;
    while (done < len) {
      int n = read(b, off + done, len - done);
      if (n < 0) {
        throw new RpcException(Status.IO_ERROR, path + ": block " + block.getBlockId() + " ended at offset "
            + position + " while " + (len - done) + " more bytes were expected");
      }
      done += n;
    }
  }

  /** Bytes readable now without waiting for the worker. */
  public long buffered() {
    return stream == null ? 0 : stream.buffered();
  }

  /**
   * Moves forward by up to {@code n} bytes using only buffered data (a short forward seek need not reopen).
   *
   * @return bytes skipped, less than {@code n} when not enough was buffered
   */
  public long skipBuffered(long n) throws IOException {
    if (stream == null) {
      return 0;
    }
    try {
      long k = stream.skipBuffered(Math.min(n, end - position));
      position += k;
      return k;
    } catch (RpcException e) {
      stream.close();
      stream = null;
      lastFailure = e;
      failures.add(e.getMessage());
      return 0;
    }
  }

  /** Opens a stream at {@link #position} on the next location that can be reached. */
  private void connect() throws RpcException {
    while (nextLocation < block.getLocationsCount()) {
      BlockLocation loc = block.getLocations(nextLocation++);
      String worker = WorkerClientPool.describe(loc.getAddress());
      RpcClient client;
      try {
        client = pool.get(loc.getAddress());
      } catch (RpcException e) {
        lastFailure = e;
        failures.add(worker + ": " + e.getMessage());
        continue;
      }
      String what = path + ": block " + block.getBlockId() + " on " + worker;
      stream = ReadStream.open(client, block.getBlockId(), position, end - position, options, what);
      return;
    }
    throw exhausted();
  }

  private RpcException exhausted() {
    if (block.getLocationsCount() == 0) {
      return new RpcException(Status.UNAVAILABLE, path + ": block " + block.getBlockId() + " has no location");
    }
    if (failures.size() == 1 && lastFailure.getMessage().contains(path)) {
      return lastFailure;
    }
    // Unreachable workers answer UNAVAILABLE; a worker that answered keeps its status (NOT_FOUND, IO_ERROR).
    return new RpcException(lastFailure.status(), path + ": block " + block.getBlockId() + " at offset "
        + position + ": no location could serve it (" + String.join("; ", failures) + ")", lastFailure);
  }

  /** Stops reading and releases every buffered frame. Idempotent. */
  @Override
  public void close() {
    closed = true;
    if (stream != null) {
      stream.close();
      stream = null;
    }
  }
}
