package io.sluice.client.block;

import io.sluice.common.proto.BlockInfo;
import io.sluice.common.proto.BlockLocation;
import io.sluice.common.proto.ReportCorruptBlockRequest;
import io.sluice.common.proto.ReportCorruptBlockResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerMethod;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a byte range of one block from the workers that hold it. It streams from the first location it can
 * reach; when that worker fails (unreachable, lost the block, corrupt data, timeout) it resumes at the current
 * position on the next location, since committed blocks are immutable and every replica has the same bytes. Bytes
 * that do not match their CRC32C are never returned: the worker is told, and the block is read elsewhere (see
 * {@link #corrupted}). Locations of workers that failed lately ({@link WorkerClientPool#avoided}) are tried last. Once
 * every location failed, a block of a UFS-backed file may be read from the UFS instead (see
 * {@link UfsFallThrough} for when); otherwise the read fails, naming the block and what each location answered.
 *
 * <p>A location on this host is read by short-circuit when the options allow it ({@link LocalReadStream}: the
 * worker leases the block and the file is read here); when the worker grants no lease or the file cannot be opened
 * or read, the same location is read over the block RPC ({@link RemoteReadStream}) from where the file left off,
 * without an error. This is the one place that choice is made.
 *
 * <p>Every READ_BLOCK of a UFS-backed block carries its UFS source, so a worker that does not hold it reads it
 * through. A worker answering STALE (the UFS file changed since the master listed it) ends the read at once: the
 * other locations read the same changed file.
 *
 * <p>Not thread-safe: one reader. {@link #close()} releases everything held and may be called at any time.
 */
public final class BlockReader implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(BlockReader.class);
  /** Largest copy from the UFS into a direct buffer in one read. */
  private static final int UFS_COPY = 64 * 1024;

  private final WorkerClientPool pool;
  private final UfsFallThrough fallThrough;
  private final BlockInfo block;
  private final ReadOptions options;
  private final String path;
  private final long end;
  private final List<String> failures = new ArrayList<>();
  private final List<Status> failureStatuses = new ArrayList<>();
  private long position;
  private int nextLocation;
  private ReadStream stream;
  /** Set instead of {@code stream} once the read fell through to the UFS. */
  private InputStream ufsStream;
  /** Carries UFS bytes into a direct buffer; allocated on the first such read. */
  private byte[] ufsCopy;
  private RpcException lastFailure;
  /** A short-circuit stream failed while reading: the rest of the range goes over the RPC. */
  private boolean localFailed;
  /** The worker of the current location, to tell of a corrupt copy. */
  private RpcClient currentClient;
  private BlockLocation currentLocation;
  /** The block's locations in the order they are tried: workers the pool avoids last; set at the first connect. */
  private List<BlockLocation> locations;
  /** A corrupt copy was removed and the block is read again, through from the UFS: done at most once. */
  private boolean rereadAfterCorruption;
  private boolean closed;

  private BlockReader(WorkerClientPool pool, UfsFallThrough fallThrough, BlockInfo block, long offset, long end,
      ReadOptions options, String path) {
    this.pool = pool;
    this.fallThrough = fallThrough;
    this.block = block;
    this.position = offset;
    this.end = end;
    this.options = options;
    this.path = path;
  }

  /**
   * Starts reading {@code [offset, offset + length)} of {@code block} (which must lie inside it).
   *
   * @param fallThrough reads the block from the UFS when no location can serve it and the block has a UFS source
   * @param path the file, for error messages
   * @throws RpcException UNAVAILABLE naming the block when none of its locations can be reached (and it cannot
   *     fall through)
   */
  public static BlockReader open(WorkerClientPool pool, UfsFallThrough fallThrough, BlockInfo block, long offset,
      long length, ReadOptions options, String path) throws RpcException {
    if (offset < 0 || length < 0 || offset + length > block.getLength()) {
      throw new IllegalArgumentException("range [" + offset + ", " + (offset + length) + ") outside block "
          + block.getBlockId() + " of " + block.getLength() + " bytes");
    }
    BlockReader r = new BlockReader(pool, fallThrough, block, offset, offset + length, options, path);
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
    return read(ByteBuffer.wrap(b, off, len));
  }

  /**
   * Reads up to {@code dst.remaining()} bytes at {@link #position()} into {@code dst}, advancing its position. A
   * direct buffer is filled without passing through the Java heap when the bytes come from a block file here.
   *
   * @return bytes read, at least 1 when {@code dst} has room and the range is not exhausted; -1 at its end
   */
  public int read(ByteBuffer dst) throws IOException {
    if (closed) {
      throw new IOException(path + ": block " + block.getBlockId() + ": reader closed");
    }
    if (position == end) {
      return -1;
    }
    if (!dst.hasRemaining()) {
      return 0;
    }
    int start = dst.position();
    while (true) {
      if (stream == null && ufsStream == null) {
        connect();
      }
      if (ufsStream != null) {
        return readUfs(dst);
      }
      try {
        int n = stream.read(dst);
        position += n;
        return n;
      } catch (RpcException e) {
        dst.position(start); // what the failed stream put there is read again from the next source
        // A local stream failing with the load's own error (following a block being read through) failed like a
        // location would: reading the same worker remotely would only load the block again.
        boolean local = stream instanceof LocalReadStream && e.status() != Status.STALE
            && e.status() != Status.UFS_ERROR;
        stream.close();
        stream = null;
        if (e instanceof CorruptChunkException corrupt) {
          corrupted(corrupt);
          continue;
        }
        if (local) {
          // The file failed, not the worker: resume from position on the same location, over the RPC.
          LOG.debug("{}: block {}: short-circuit read failed, reading remotely: {}", path, block.getBlockId(),
              e.getMessage());
          ShortCircuit.fellBack();
          localFailed = true;
          nextLocation--;
          continue;
        }
        // This location failed mid-range: drop it and resume from position on the next one.
        if (e.status() == Status.STALE) {
          throw stale(e);
        }
        if (e.status() == Status.UNAVAILABLE) {
          pool.avoid(currentLocation.getAddress()); // timed out or went away: other readers try it last too
        }
        failed(e, e.getMessage());
      }
    }
  }

  /**
   * Names the next {@code len} bytes where they lie in a block file on this host instead of reading them, and moves
   * past them: only while this reader reads short-circuit from a block that was whole in its file, and its range
   * holds {@code len} more bytes, unchecked ({@code sluice.user.short.circuit.skip.checksum}); else null, nothing
   * moves, and {@link #read} serves them. The range stays valid while this reader stays open, or while
   * {@link LocalBlockRange#hold} holds it.
   */
  public LocalBlockRange readLocal(int len) throws IOException {
    if (closed) {
      throw new IOException(path + ": block " + block.getBlockId() + ": reader closed");
    }
    if (len <= 0 || len > end - position) {
      return null;
    }
    if (stream == null && ufsStream == null) {
      connect();
    }
    if (!(stream instanceof LocalReadStream local)) {
      return null;
    }
    LocalBlockRange r = local.range(len);
    if (r != null) {
      position += len;
    }
    return r;
  }

  private int readUfs(ByteBuffer dst) throws RpcException {
    int n;
    try {
      if (dst.hasArray()) {
        n = ufsStream.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
      } else {
        // Falling through to the UFS is the slow path: a copy through a small array costs nothing next to it.
        if (ufsCopy == null) {
          ufsCopy = new byte[UFS_COPY];
        }
        n = ufsStream.read(ufsCopy, 0, Math.min(dst.remaining(), UFS_COPY));
        if (n > 0) {
          dst.put(dst.position(), ufsCopy, 0, n);
        }
      }
    } catch (IOException e) {
      throw UfsFallThrough.readFailure(e, path + ": block " + block.getBlockId());
    }
    if (n < 0) {
      // UfsRangeStream gives exactly the range, so this means the range bookkeeping is wrong, not the UFS.
      throw new IllegalStateException(path + ": block " + block.getBlockId() + ": UFS range ended at " + position
          + " before " + end);
    }
    dst.position(dst.position() + n);
    position += n;
    return n;
  }

  /**
   * The copy just read is corrupt: tells its worker, which checks the block and removes it. A block of a UFS-backed
   * file is then read again from the same worker, once: not holding it any more, the worker reads it through from
   * the UFS and caches it anew. Otherwise the read goes on at the next location (another replica), and a corrupt
   * copy counts as an unreachable one, so a UFS-backed block can still fall through to the UFS.
   */
  private void corrupted(CorruptChunkException e) {
    boolean removed = false;
    try {
      removed = currentClient.call(WorkerMethod.REPORT_CORRUPT_BLOCK_VALUE, ReportCorruptBlockRequest.newBuilder()
          .setBlockId(block.getBlockId()).setOffset(e.offset()).build(), ReportCorruptBlockResponse.parser())
          .getCorrupt();
    } catch (RpcException report) {
      LOG.warn("{}: could not report corrupt block {} to {}: {}", path, block.getBlockId(), currentClient.address(),
          report.getMessage());
    }
    LOG.warn("{} ({})", e.getMessage(), removed ? "the worker removed its copy" : "the worker kept its copy");
    if (removed && block.hasUfs() && !rereadAfterCorruption) {
      rereadAfterCorruption = true;
      nextLocation--;
      return;
    }
    lastFailure = e;
    failures.add(e.getMessage());
    failureStatuses.add(Status.UNAVAILABLE);
  }

  private void failed(RpcException e, String message) {
    lastFailure = e;
    failures.add(message);
    failureStatuses.add(e.status());
  }

  /** The worker's STALE, saying what the reader can do about it. */
  private RpcException stale(RpcException e) {
    return new RpcException(Status.STALE, path + ": block " + block.getBlockId() + ": the file changed in the UFS"
        + " since it was opened; open it again to read the new content (" + e.getMessage() + ")", e);
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

  /** Whether the bytes come from the block file on this host (short-circuit) right now. */
  public boolean local() {
    return stream instanceof LocalReadStream;
  }

  /**
   * Moves back to {@code target}, before {@link #position()}, when the stream can do it without a round trip (a
   * short-circuit read); false when a new reader is needed.
   */
  public boolean rewind(long target) {
    if (stream == null || target > position || !stream.rewind(target)) {
      return false;
    }
    position = target;
    return true;
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
      if (e instanceof CorruptChunkException corrupt) {
        corrupted(corrupt);
        return 0;
      }
      if (e.status() == Status.STALE) {
        throw stale(e);
      }
      failed(e, e.getMessage());
      return 0;
    }
  }

  /**
   * Opens a stream at {@link #position} on the next location that can be reached, or on the UFS when none is left
   * and the block may fall through.
   */
  private void connect() throws RpcException {
    if (locations == null) {
      locations = byPreference();
    }
    while (nextLocation < locations.size()) {
      BlockLocation loc = locations.get(nextLocation++);
      currentLocation = loc;
      String worker = WorkerClientPool.describe(loc.getAddress());
      RpcClient client;
      try {
        client = pool.get(loc.getAddress());
      } catch (RpcException e) {
        failed(e, worker + ": " + e.getMessage());
        continue;
      }
      String what = path + ": block " + block.getBlockId() + " on " + worker;
      currentClient = client;
      // An uncached UFS block is leased at once by the worker chosen to read it through, on the file it fills.
      if (options.shortCircuit() && (block.getCached() || block.hasUfs()) && !localFailed
          && ShortCircuit.isLocal(loc.getAddress())) {
        stream = LocalReadStream.open(client, block, position, end - position, what, options.verifyShortCircuit());
        if (stream != null) {
          return;
        }
      }
      stream = RemoteReadStream.open(client, block, position, end - position, options, what);
      return;
    }
    if (UfsFallThrough.applies(block, failureStatuses)) {
      ufsStream = fallThrough.open(block, position, end - position, path);
      return;
    }
    throw exhausted();
  }

  /** The block's locations, those of workers that failed lately ({@link WorkerClientPool#avoided}) last. */
  private List<BlockLocation> byPreference() {
    List<BlockLocation> first = new ArrayList<>();
    List<BlockLocation> last = new ArrayList<>();
    for (BlockLocation loc : block.getLocationsList()) {
      (pool.avoided(loc.getAddress()) ? last : first).add(loc);
    }
    first.addAll(last);
    return first;
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
    if (ufsStream != null) {
      try {
        ufsStream.close();
      } catch (IOException e) {
        // Nothing more is read from it; a failing close of a read-only stream loses nothing.
      }
      ufsStream = null;
    }
  }
}
