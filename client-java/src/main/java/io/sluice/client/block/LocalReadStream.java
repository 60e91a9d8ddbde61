package io.sluice.client.block;

import io.sluice.common.checksum.ChunkChecksums;
import io.sluice.common.proto.BlockInfo;
import io.sluice.common.proto.CloseLocalBlockRequest;
import io.sluice.common.proto.OpenLocalBlockRequest;
import io.sluice.common.proto.OpenLocalBlockResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WaitLocalBlockRequest;
import io.sluice.common.proto.WaitLocalBlockResponse;
import io.sluice.common.proto.WorkerMethod;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A short-circuit read (DESIGN 5): the bytes {@code [offset, end)} of a block read from its file on this host, under
 * a lease the worker granted (OPEN_LOCAL_BLOCK) that keeps the block from eviction until {@link #close()} sends
 * CLOSE_LOCAL_BLOCK, or until this client's connection to the worker closes. Every byte is checked against the
 * block's chunk CRC32Cs, which come with the lease, before the caller gets it (a file corrupted on the worker's disk
 * raises {@link CorruptChunkException}); it is read no further than the length the worker answered. Only a
 * stream that does not check its bytes ({@code sluice.user.short.circuit.skip.checksum}) names ranges of the file
 * instead of reading them ({@link #range}, for a FUSE reply spliced from the file).
 *
 * <p>Reads of whole chunks go from the file straight into the caller's buffer in positioned reads of
 * {@value #PIECE} bytes, each checked right after it is read: into a direct buffer with one copy from the page
 * cache, into a heap one through the JDK's per-thread temporary direct buffer (which the piece size bounds). Other
 * reads fill a one-chunk buffer, allocated once on the first such read, and are served from it, so byte-wise
 * reading costs one system call and one checksum per chunk, not per byte. Nothing is allocated per read.
 *
 * <p>{@link #open} never fails: when the worker does not grant a lease or the file cannot be opened it returns null
 * and the caller reads over the RPC. A failure while reading surfaces as IO_ERROR; {@link BlockReader} then reads
 * the rest remotely. One reader thread.
 */
final class LocalReadStream implements ReadStream {
  private static final Logger LOG = LoggerFactory.getLogger(LocalReadStream.class);
  private static final int CHUNK = ChunkChecksums.CHUNK;
  private static final int MAX_READ = 8 << 20;
  /** Most a read of a block still loading waits for at once, beyond the chunk it needs. */
  private static final int FOLLOW_STEP = 1 << 20;
  /**
   * Bytes read and checked at a time: whole chunks, small enough to stay in a core's cache between the two. Measured
   * at 256 KiB (bench/RESULTS.md); a size in bytes, not in chunks, since the cache does not change with the chunk.
   */
  private static final int PIECE = Math.max(1, (256 << 10) / CHUNK) * CHUNK;
  /** Numbers the leases this process holds, for {@link LocalBlockRange#lease}. */
  private static final AtomicLong GRANTS = new AtomicLong();

  private final RpcClient worker;
  private final long leaseId;
  private final Path path;
  private final FileChannel file;
  private final String what;
  private final long end;
  private final long blockLength;
  /** Whether chunks are checked against {@link #sums} (sluice.user.short.circuit.skip.checksum unset). */
  private final boolean verify;
  /** One per chunk; while {@link #loading}, only the first {@link #knownSums} are filled. */
  private final int[] sums;
  private int knownSums;
  /** The block is still being read through: only [0, available) is in the file so far. */
  private boolean loading;
  /** Whether the block was whole in its file when leased, so {@link #path} names it for the whole lease. */
  private final boolean settled;
  /** This lease's number in this process ({@link LocalBlockRange#lease}). */
  private final long grant = GRANTS.incrementAndGet();
  private long available;
  private long position;
  /**
   * Holds one checked chunk, the file's bytes {@code [bufferStart, bufferStart + limit)}; its position is
   * {@link #position} while it has remaining bytes. Null until a read that is not of whole chunks.
   */
  private ByteBuffer buffer;
  private long bufferStart;
  private boolean closed;
  /**
   * Holds on the lease ({@link LocalBlockRange#hold}) not yet released, and whether the lease has ended: it ends at
   * {@link #close()} or, when held then, at the last release. Guarded by {@link #leaseLock}, since releases come
   * from other threads.
   */
  private final Object leaseLock = new Object();
  private int holds;
  private boolean streamClosed;
  private boolean leaseEnded;

  private LocalReadStream(RpcClient worker, OpenLocalBlockResponse lease, FileChannel file, String what,
      long offset, long end, boolean verify) {
    this.verify = verify;
    this.worker = worker;
    this.leaseId = lease.getLeaseId();
    this.path = Path.of(lease.getPath());
    this.file = file;
    this.what = what;
    this.position = offset;
    this.end = end;
    this.blockLength = lease.getLength();
    this.sums = new int[ChunkChecksums.chunks(blockLength)];
    this.knownSums = lease.getChunkCrcsCount();
    for (int i = 0; i < knownSums; i++) {
      sums[i] = lease.getChunkCrcs(i);
    }
    this.loading = lease.getLoading();
    this.settled = !loading;
    this.available = loading ? lease.getAvailable() : blockLength;
  }

  /**
   * Asks {@code worker} (on this host) for a lease on {@code block} and opens its file at {@code offset}, first
   * proving the connection ({@link ShortCircuitProof}) if it has not been yet. An uncached block of a UFS-backed
   * file is read through by the worker, and followed: the lease comes at once, on the file being filled, and reads
   * wait (WAIT_LOCAL_BLOCK) only for bytes not yet in it.
   *
   * @param what names the block in messages, e.g. {@code /a/b: block 42 on host:7080}
   * @param verify whether each chunk read is checked against the CRC32C the worker sent with the lease
   * @return the stream, or null (logged at debug) when the block must be read over the RPC instead
   */
  static LocalReadStream open(RpcClient worker, BlockInfo block, long offset, long length, String what,
      boolean verify) {
    return open(worker, block, offset, length, what, verify, true);
  }

  /** @param retry whether a follow lease whose temp file was already renamed or removed may be asked for again */
  private static LocalReadStream open(RpcClient worker, BlockInfo block, long offset, long length, String what,
      boolean verify, boolean retry) {
    if (ShortCircuit.refused(worker)) {
      return null;
    }
    if (!ShortCircuitProof.proven(worker)) {
      return fallBack(what, "the connection did not prove itself for short-circuit");
    }
    OpenLocalBlockResponse lease;
    try {
      OpenLocalBlockRequest.Builder req = OpenLocalBlockRequest.newBuilder().setBlockId(block.getBlockId());
      if (!block.getCached() && block.hasUfs()) {
        req.setUfs(block.getUfs()).setFollow(true);  // the worker reads it through; we read as it loads
      }
      lease = worker.call(WorkerMethod.OPEN_LOCAL_BLOCK_VALUE, req.build(), OpenLocalBlockResponse.parser());
    } catch (RpcException e) {
      if (e.status() == Status.PERMISSION_DENIED || e.status() == Status.INVALID_ARGUMENT) {
        ShortCircuit.refuse(worker);
      }
      return fallBack(what, "the worker granted no lease: " + e.getMessage());
    }
    // From here the lease is ours: every way out without a stream must close it.
    long end = offset + length;
    long inFile = lease.getLoading() ? lease.getAvailable() : lease.getLength();
    int wholeChunks = inFile >= lease.getLength() ? ChunkChecksums.chunks(lease.getLength()) : (int) (inFile / CHUNK);
    if (lease.getChunkCrcsCount() != wholeChunks) {
      closeLease(worker, lease.getLeaseId());
      return fallBack(what, "the worker sent " + lease.getChunkCrcsCount() + " checksums for " + inFile + " bytes");
    }
    if (end > lease.getLength()) {
      closeLease(worker, lease.getLeaseId());
      return fallBack(what, "the worker holds " + lease.getLength() + " bytes, the range ends at " + end);
    }
    Path path = Path.of(lease.getPath());
    FileChannel file = null;
    try {
      file = openLeased(path, lease);
      // A loading block's file is still growing (or a reused file longer than the block): its size says nothing.
      if (!lease.getLoading() && file.size() < lease.getLength()) {
        throw new IOException("the file has " + file.size() + " bytes, the block " + lease.getLength());
      }
    } catch (IOException e) {
      closeQuietly(file);
      closeLease(worker, lease.getLeaseId());
      if (e instanceof NoSuchFileException && lease.getLoading() && retry) {
        // The load failed between the answer and the open and removed its file: ask again (a worker that names no
        // committed_path is asked again after a commit too).
        return open(worker, block, offset, length, what, verify, false);
      }
      if (e instanceof AccessDeniedException) {
        ShortCircuit.refuse(worker); // this process may not read that worker's directories: no block will do
      }
      return fallBack(what, "cannot open " + path + ": " + e);
    }
    ShortCircuit.opened(lease.getLoading());
    return new LocalReadStream(worker, lease, file, what, offset, end, verify);
  }

  /**
   * Opens the leased file. A loading block's temp file may have been renamed into place since the lease was granted
   * (the load committed); the lease keeps the committed file there, so it is opened instead of asking again.
   */
  private static FileChannel openLeased(Path path, OpenLocalBlockResponse lease) throws IOException {
    try {
      return FileChannel.open(path, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      if (!lease.getLoading() || lease.getCommittedPath().isEmpty()) {
        throw e;
      }
      try {
        return FileChannel.open(Path.of(lease.getCommittedPath()), StandardOpenOption.READ);
      } catch (NoSuchFileException gone) {
        throw e;  // neither: the load failed and removed its file
      }
    }
  }

  private static LocalReadStream fallBack(String what, String why) {
    ShortCircuit.fellBack();
    LOG.debug("{}: reading over the block RPC, not short-circuit: {}", what, why);
    return null;
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    if (position == end) {
      return -1;
    }
    if (!dst.hasRemaining()) {
      return 0;
    }
    int n;
    if (buffer != null && buffer.hasRemaining()) {
      n = (int) Math.min(Math.min(dst.remaining(), buffer.remaining()), end - position);
      dst.put(dst.position(), buffer, buffer.position(), n).position(dst.position() + n);
      buffer.position(buffer.position() + n);
    } else {
      int want = (int) Math.min(Math.min(dst.remaining(), MAX_READ), readable(dst.remaining()));
      // Whole chunks go straight into the caller's buffer and are checked there; the block's last chunk is whole
      // when it reaches the block's end.
      int direct = position % CHUNK != 0 ? 0
          : position + want == blockLength ? want : want / CHUNK * CHUNK;
      n = direct > 0 ? readChunks(dst, direct) : readBuffered(dst, want);
    }
    position += n;
    ShortCircuit.read(n);
    return n;
  }

  /**
   * Names the next {@code len} bytes of the range in the block file instead of reading them, and moves past them:
   * only when this stream does not check its bytes (a named byte never reaches the process, so it cannot be checked),
   * the range holds that many, the block was whole in its file when leased (a loading block's file is renamed when
   * the load commits) and the worker's connection, and so the lease, lives; else null, and nothing moves.
   *
   * <p>Checked bytes are not named: checking them first through a mapping of the file (tried in 025bbb5) made FUSE
   * reads slower than copying them, since faulting a fresh mapping's pages in costs this VM several times the copy
   * (bench/RESULTS.md, 2026-12-04).
   */
  LocalBlockRange range(int len) {
    if (verify || !settled || closed || len <= 0 || len > end - position) {
      return null;
    }
    // A lease dies with the connection (a worker that restarts may reuse, and cut, its files): named bytes need a
    // live one.
    if (!worker.isActive()) {
      return null;
    }
    LocalBlockRange r = new LocalBlockRange(path, grant, position, len, this::hold);
    position += len;
    syncBuffer();
    ShortCircuit.read(len);
    return r;
  }

  /**
   * Reads {@code len} bytes of whole chunks at {@link #position} into {@code dst}, piece by piece, so each piece is
   * checked while it is still in the CPU cache: checking the whole read afterwards made a second pass over memory
   * and cost a quarter of the read's speed (bench/datapath.sh).
   */
  private int readChunks(ByteBuffer dst, int len) throws IOException {
    int start = dst.position();
    int limit = dst.limit();
    try {
      for (int done = 0; done < len; done += PIECE) {
        int k = Math.min(PIECE, len - done);
        dst.limit(start + done + k).position(start + done);
        readFully(dst, position + done);
        verify(dst, start + done, k, position + done);
      }
    } finally {
      dst.limit(limit);
    }
    dst.position(start + len);
    return len;
  }

  /** Reads the chunk holding {@link #position} into the buffer, checks it, and copies up to {@code len} bytes. */
  private int readBuffered(ByteBuffer dst, int len) throws IOException {
    if (buffer == null) {
      buffer = ByteBuffer.allocate(CHUNK);
    }
    long chunkStart = position - position % CHUNK;
    buffer.clear().limit((int) Math.min(CHUNK, blockLength - chunkStart));
    long at = position;
    readFully(buffer, chunkStart);
    bufferStart = chunkStart;
    verify(buffer, 0, buffer.limit(), chunkStart);
    buffer.flip().position((int) (at - chunkStart));
    int n = Math.min(len, buffer.remaining());
    dst.put(dst.position(), buffer, buffer.position(), n).position(dst.position() + n);
    buffer.position(buffer.position() + n);
    return n;
  }

  /** Checks whole chunks {@code b[index, index + len)} that start at {@code blockOffset} against the lease's sums. */
  private void verify(ByteBuffer b, int index, int len, long blockOffset) throws CorruptChunkException {
    if (!verify) {
      return;
    }
    long bad = ChunkChecksums.firstMismatch(b, index, len, sums, (int) (blockOffset / CHUNK));
    if (bad >= 0) {
      throw new CorruptChunkException(what + " (short-circuit, " + path + ")", bad);
    }
  }

  /** Fills {@code dst} from the file at {@code at}. */
  private void readFully(ByteBuffer dst, long at) throws IOException {
    try {
      while (dst.hasRemaining()) {
        int n = file.read(dst, at);
        if (n <= 0) {
          throw new RpcException(Status.IO_ERROR, what + ": " + path + " ended at offset " + at + ", before "
              + blockLength);
        }
        at += n;
      }
    } catch (ClosedByInterruptException e) {
      throw new InterruptedIOException(what + ": interrupted while reading " + path + " at offset " + at);
    } catch (RpcException e) {
      throw e;
    } catch (IOException e) {
      throw new RpcException(Status.IO_ERROR, what + ": reading " + path + " at offset " + at + ": " + e, e);
    }
  }

  /**
   * Bytes of the range readable at {@link #position} now, at least the rest of its chunk: for a block still loading,
   * waits until the file holds the {@code want} bytes the caller asked for, at most {@value #FOLLOW_STEP} (one round
   * trip serves a read of that much, and a large read still overlaps the load), or the rest of the range, or at
   * least that chunk. The worker answers a wait with what it has after a few seconds: the loop waits again.
   */
  private long readable(long want) throws IOException {
    long chunkEnd = Math.min(blockLength, position - position % CHUNK + CHUNK);
    while (loading && available < chunkEnd) {
      awaitLoad(Math.max(chunkEnd, Math.min(end, position + Math.min(want, FOLLOW_STEP))));
    }
    return Math.min(end, available) - position;
  }

  /** Waits (WAIT_LOCAL_BLOCK) until the loading block's file holds {@code offset} bytes or its load ended. */
  private void awaitLoad(long offset) throws IOException {
    WaitLocalBlockResponse r;
    try {
      r = worker.call(WorkerMethod.WAIT_LOCAL_BLOCK_VALUE, WaitLocalBlockRequest.newBuilder().setLeaseId(leaseId)
          .setOffset(offset).setFirstChunk(knownSums).build(), WaitLocalBlockResponse.parser());
    } catch (RpcException e) {
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedIOException(what + ": interrupted while waiting for the block's load");
      }
      throw e;
    }
    long now = r.getLoading() ? r.getAvailable() : blockLength;
    int whole = now >= blockLength ? sums.length : (int) (now / CHUNK);
    if (now < available || knownSums + r.getChunkCrcsCount() != whole) {
      throw new RpcException(Status.IO_ERROR, what + ": the worker said " + now + " bytes are loaded with "
          + r.getChunkCrcsCount() + " more checksums after " + knownSums + " (" + available + " bytes before)");
    }
    for (int i = 0; i < r.getChunkCrcsCount(); i++) {
      sums[knownSums++] = r.getChunkCrcs(i);
    }
    available = now;
    loading = r.getLoading();
  }

  /** The range's bytes in the file now: all of them, unless the block is still loading. */
  @Override
  public long buffered() {
    return Math.max(0, Math.min(end, available) - position);
  }

  @Override
  public long skipBuffered(long n) {
    long k = Math.min(n, buffered());
    position += k;
    syncBuffer();
    return k;
  }

  /** Any offset of the block: the lease covers the whole file, whatever range this stream was opened for. */
  @Override
  public boolean rewind(long target) {
    if (closed || target < 0 || target > position) {
      return false;
    }
    position = target;
    syncBuffer();
    return true;
  }

  /** After a jump: the buffer serves {@link #position} if it holds that chunk, else it is emptied. */
  private void syncBuffer() {
    if (buffer == null) {
      return;
    }
    if (position >= bufferStart && position < bufferStart + buffer.limit()) {
      buffer.position((int) (position - bufferStart));
    } else {
      buffer.clear().limit(0);
    }
  }

  /**
   * Closes the file and ends the lease without waiting for the worker, or, while a named range holds it
   * ({@link LocalBlockRange#hold}), leaves the lease to end at the last release. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    closeQuietly(file);
    synchronized (leaseLock) {
      streamClosed = true;
      endLeaseUnlessHeld();
    }
  }

  /** A hold on the lease for a range named from it; null once the lease has ended. */
  private LeaseHold hold() {
    synchronized (leaseLock) {
      if (leaseEnded) {
        return null;
      }
      holds++;
      return new LeaseHold(this::release);
    }
  }

  private void release() {
    synchronized (leaseLock) {
      holds--;
      if (streamClosed) {
        endLeaseUnlessHeld();
      }
    }
  }

  /** Called holding {@link #leaseLock}. */
  private void endLeaseUnlessHeld() {
    if (holds == 0 && !leaseEnded) {
      leaseEnded = true;
      closeLease(worker, leaseId);
    }
  }

  /**
   * Sends CLOSE_LOCAL_BLOCK without waiting: nothing here depends on the answer, and when the connection is gone the
   * worker has already ended every lease it held.
   */
  static void closeLease(RpcClient worker, long leaseId) {
    worker.call(WorkerMethod.CLOSE_LOCAL_BLOCK_VALUE, CloseLocalBlockRequest.newBuilder().setLeaseId(leaseId).build())
        .whenComplete((response, failure) -> {
          if (response != null) {
            response.release();
          } else {
            LOG.debug("closing short-circuit lease {} on {}: {}", leaseId, worker.address(), failure.toString());
          }
        });
  }

  private static void closeQuietly(FileChannel file) {
    if (file == null) {
      return;
    }
    try {
      file.close();
    } catch (IOException e) {
      // Opened read-only: a failing close loses no data.
    }
  }
}
