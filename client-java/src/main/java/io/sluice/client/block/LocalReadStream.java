package io.sluice.client.block;

import io.sluice.common.proto.BlockInfo;
import io.sluice.common.proto.CloseLocalBlockRequest;
import io.sluice.common.proto.OpenLocalBlockRequest;
import io.sluice.common.proto.OpenLocalBlockResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerMethod;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A short-circuit read (DESIGN 5): the bytes {@code [offset, end)} of a block read from its file on this host, under
 * a lease the worker granted (OPEN_LOCAL_BLOCK) that keeps the block from eviction until {@link #close()} sends
 * CLOSE_LOCAL_BLOCK, or until this client's connection to the worker closes. Committed blocks never change, so the
 * file needs no checksums; it is read no further than the length the worker answered.
 *
 * <p>Reads of at least {@value #BUFFER} bytes go from the file straight into the caller's array with one positioned
 * read (at most {@value #MAX_READ} bytes at a time, which bounds the JDK's per-thread temporary direct buffer);
 * smaller ones are served from a {@value #BUFFER}-byte buffer, allocated once on the first small read, so byte-wise
 * reading costs one system call per buffer, not per byte. Nothing is allocated per read.
 *
 * <p>{@link #open} never fails: when the worker does not grant a lease or the file cannot be opened it returns null
 * and the caller reads over the RPC. A failure while reading surfaces as IO_ERROR; {@link BlockReader} then reads
 * the rest remotely. One reader thread.
 */
final class LocalReadStream implements ReadStream {
  private static final Logger LOG = LoggerFactory.getLogger(LocalReadStream.class);
  private static final int BUFFER = 64 * 1024;
  private static final int MAX_READ = 8 << 20;

  private final RpcClient worker;
  private final long leaseId;
  private final Path path;
  private final FileChannel file;
  private final String what;
  private final long end;
  private long position;
  /** Holds the file's bytes {@code [position, position + remaining)} between reads; null until a small read. */
  private ByteBuffer buffer;
  /** The caller's array of the last large read, wrapped once for as long as the caller reuses it. */
  private ByteBuffer wrapped;
  private boolean closed;

  private LocalReadStream(RpcClient worker, long leaseId, Path path, FileChannel file, String what, long offset,
      long end) {
    this.worker = worker;
    this.leaseId = leaseId;
    this.path = path;
    this.file = file;
    this.what = what;
    this.position = offset;
    this.end = end;
  }

  /**
   * Asks {@code worker} (on this host) for a lease on {@code block} and opens its file at {@code offset}. An uncached
   * block of a UFS-backed file is read through by the worker first: the call returns once the block is cached.
   *
   * @param what names the block in messages, e.g. {@code /a/b: block 42 on host:7080}
   * @return the stream, or null (logged at debug) when the block must be read over the RPC instead
   */
  static LocalReadStream open(RpcClient worker, BlockInfo block, long offset, long length, String what) {
    if (ShortCircuit.refused(worker)) {
      return null;
    }
    OpenLocalBlockResponse lease;
    try {
      OpenLocalBlockRequest.Builder req = OpenLocalBlockRequest.newBuilder().setBlockId(block.getBlockId());
      if (!block.getCached() && block.hasUfs()) {
        req.setUfs(block.getUfs());  // the worker reads it through first and answers once it is cached
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
    if (end > lease.getLength()) {
      closeLease(worker, lease.getLeaseId());
      return fallBack(what, "the worker holds " + lease.getLength() + " bytes, the range ends at " + end);
    }
    Path path = Path.of(lease.getPath());
    FileChannel file = null;
    try {
      file = FileChannel.open(path, StandardOpenOption.READ);
      if (file.size() < lease.getLength()) {
        throw new IOException("the file has " + file.size() + " bytes, the block " + lease.getLength());
      }
    } catch (IOException e) {
      closeQuietly(file);
      closeLease(worker, lease.getLeaseId());
      if (e instanceof AccessDeniedException) {
        ShortCircuit.refuse(worker); // this process may not read that worker's directories: no block will do
      }
      return fallBack(what, "cannot open " + path + ": " + e);
    }
    ShortCircuit.opened();
    return new LocalReadStream(worker, lease.getLeaseId(), path, file, what, offset, end);
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
  public int read(byte[] b, int off, int len) throws IOException {
    if (position == end) {
      return -1;
    }
    if (len == 0) {
      return 0;
    }
    int n;
    if (buffer != null && buffer.hasRemaining()) {
      n = Math.min(len, buffer.remaining());
      buffer.get(b, off, n);
    } else {
      int want = (int) Math.min(Math.min(len, MAX_READ), end - position);
      if (want >= BUFFER || want == end - position) {
        // Straight into the caller's array: large reads, and a range's last bytes (a positioned read's whole range).
        n = readFile(target(b, off, want));
      } else {
        if (buffer == null) {
          buffer = ByteBuffer.allocate(BUFFER);
        }
        buffer.clear().limit((int) Math.min(BUFFER, end - position));
        readFile(buffer);
        buffer.flip();
        n = Math.min(len, buffer.remaining());
        buffer.get(b, off, n);
      }
    }
    position += n;
    ShortCircuit.read(n);
    return n;
  }

  /** {@code b[off, off + len)} as a buffer, reusing the wrapper when the caller reuses its array. */
  private ByteBuffer target(byte[] b, int off, int len) {
    if (wrapped == null || wrapped.array() != b) {
      wrapped = ByteBuffer.wrap(b);
    }
    wrapped.clear().position(off).limit(off + len);
    return wrapped;
  }

  /**
   * Reads from the file at {@link #position} into {@code dst}; called only when {@link #buffer} is empty, so that is
   * the file offset of the next byte.
   *
   * @return bytes read, at least 1
   */
  private int readFile(ByteBuffer dst) throws IOException {
    long at = position;
    int n;
    try {
      n = file.read(dst, at);
    } catch (ClosedByInterruptException e) {
      throw new InterruptedIOException(what + ": interrupted while reading " + path + " at offset " + at);
    } catch (IOException e) {
      throw new RpcException(Status.IO_ERROR, what + ": reading " + path + " at offset " + at + ": " + e, e);
    }
    if (n <= 0) {
      throw new RpcException(Status.IO_ERROR, what + ": " + path + " ended at offset " + at + ", before " + end);
    }
    return n;
  }

  /** Every byte to the end of the range: the file is here, so none of it waits for the worker. */
  @Override
  public long buffered() {
    return end - position;
  }

  @Override
  public long skipBuffered(long n) {
    long k = Math.min(n, end - position);
    if (buffer != null) {
      if (k < buffer.remaining()) {
        buffer.position(buffer.position() + (int) k);
      } else {
        buffer.clear().limit(0);
      }
    }
    position += k;
    return k;
  }

  /** Any offset of the block: the lease covers the whole file, whatever range this stream was opened for. */
  @Override
  public boolean rewind(long target) {
    if (closed || target < 0 || target > position) {
      return false;
    }
    if (buffer != null) {
      buffer.clear().limit(0);
    }
    position = target;
    return true;
  }

  /** Closes the file and ends the lease without waiting for the worker. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    closeQuietly(file);
    closeLease(worker, leaseId);
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
