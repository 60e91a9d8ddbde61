package io.sluice.hadoop;

import io.sluice.client.SluiceInputStream;
import io.sluice.common.rpc.RpcException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.fs.ByteBufferPositionedReadable;
import org.apache.hadoop.fs.ByteBufferReadable;
import org.apache.hadoop.fs.FSExceptionMessages;
import org.apache.hadoop.fs.FSInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;
import org.apache.hadoop.fs.statistics.IOStatisticsSource;
import org.apache.hadoop.fs.statistics.StreamStatisticNames;
import org.apache.hadoop.fs.statistics.impl.IOStatisticsStore;

/**
 * A {@link SluiceInputStream} as Hadoop's {@code FSDataInputStream} wants it: {@code Seekable},
 * {@code PositionedReadable} (through {@link FSInputStream}) and the {@code ByteBuffer} read interfaces. Positioned
 * reads go straight to the Sluice stream's own positioned reads, which neither move the position nor disturb
 * read-ahead and may run on many threads at once.
 *
 * <p>Seeking past the end or before 0 fails with {@link EOFException}; every operation on a closed stream fails
 * with an {@link IOException}. Bytes read are counted in the file system's {@link FileSystem.Statistics}, and
 * reads, seeks and failures in this stream's {@link #getIOStatistics() IOStatistics}.
 */
final class SluiceFsInputStream extends FSInputStream
    implements ByteBufferReadable, ByteBufferPositionedReadable, StreamCapabilities, IOStatisticsSource {
  private static final int SCRATCH_BYTES = 64 * 1024;
  private final SluiceInputStream in;
  private final Path path;
  private final FileSystem.Statistics statistics;
  private final IOStatisticsStore ioStatistics = SluiceIOStatistics.forInputStream();
  // Resolved once: every read counts, and a name lookup per call would cost more than the count.
  private final AtomicLong bytesRead = ioStatistics.getCounterReference(StreamStatisticNames.STREAM_READ_BYTES);
  private final AtomicLong readOps = ioStatistics.getCounterReference(StreamStatisticNames.STREAM_READ_OPERATIONS);
  private volatile boolean closed;
  /** For sequential reads into direct buffers; positioned reads may run concurrently, so they copy on their own. */
  private byte[] scratch;

  SluiceFsInputStream(SluiceInputStream in, Path path, FileSystem.Statistics statistics) {
    this.in = in;
    this.path = path;
    this.statistics = statistics;
  }

  @Override
  public void seek(long pos) throws IOException {
    ensureOpen();
    if (pos < 0) {
      throw new EOFException(FSExceptionMessages.NEGATIVE_SEEK + " " + pos + ": " + path);
    }
    // Past the end: SluiceInputStream throws EOFException naming the path (FSExceptionMessages.CANNOT_SEEK_PAST_EOF).
    in.seek(pos);
    ioStatistics.incrementCounter(StreamStatisticNames.STREAM_READ_SEEK_OPERATIONS);
  }

  @Override
  public long getPos() throws IOException {
    return in.getPos();
  }

  /** A block's replicas are chosen by the client per read; there is no other "source" to switch to. */
  @Override
  public boolean seekToNewSource(long targetPos) {
    return false;
  }

  @Override
  public int read() throws IOException {
    ensureOpen();
    try {
      int b = in.read();
      if (b >= 0) {
        count(1);
      }
      return b;
    } catch (RpcException e) {
      throw failed(e);
    }
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    ensureOpen();
    try {
      return count(in.read(b, off, len));
    } catch (RpcException e) {
      throw failed(e);
    }
  }

  @Override
  public int read(long position, byte[] buffer, int offset, int length) throws IOException {
    validatePositionedReadArgs(position, buffer, offset, length);
    ensureOpen();
    if (length == 0) {
      return 0;
    }
    try {
      return count(in.read(position, buffer, offset, length));
    } catch (RpcException e) {
      throw failed(e);
    }
  }

  @Override
  public void readFully(long position, byte[] buffer, int offset, int length) throws IOException {
    validatePositionedReadArgs(position, buffer, offset, length);
    ensureOpen();
    try {
      in.readFully(position, buffer, offset, length);
      count(length);
    } catch (RpcException e) {
      throw failed(e);
    }
  }

  /**
   * Reads into the buffer's remaining space; -1 at the end. A direct buffer is filled through a scratch array of
   * at most {@value #SCRATCH_BYTES} bytes per call, reused, so steady reads do not allocate.
   */
  @Override
  public synchronized int read(ByteBuffer buf) throws IOException {
    if (!buf.hasRemaining()) {
      ensureOpen();
      return 0;
    }
    if (buf.hasArray()) {
      int n = read(buf.array(), buf.arrayOffset() + buf.position(), buf.remaining());
      if (n > 0) {
        buf.position(buf.position() + n);
      }
      return n;
    }
    if (scratch == null) {
      scratch = new byte[SCRATCH_BYTES];
    }
    int n = read(scratch, 0, Math.min(scratch.length, buf.remaining()));
    if (n > 0) {
      buf.put(scratch, 0, n);
    }
    return n;
  }

  /**
   * Reads into the buffer's remaining space at {@code position}. A heap buffer is filled in place (Hadoop's vectored
   * reads hand over heap buffers by default); a direct one through a copy of its own, as concurrent calls may run.
   */
  @Override
  public int read(long position, ByteBuffer buf) throws IOException {
    if (!buf.hasRemaining()) {
      ensureOpen();
      return 0;
    }
    if (buf.hasArray()) {
      int n = read(position, buf.array(), buf.arrayOffset() + buf.position(), buf.remaining());
      if (n > 0) {
        buf.position(buf.position() + n);
      }
      return n;
    }
    byte[] copy = new byte[buf.remaining()];
    int n = read(position, copy, 0, copy.length);
    if (n > 0) {
      buf.put(copy, 0, n);
    }
    return n;
  }

  @Override
  public void readFully(long position, ByteBuffer buf) throws IOException {
    if (buf.hasArray()) {
      readFully(position, buf.array(), buf.arrayOffset() + buf.position(), buf.remaining());
      buf.position(buf.limit());
      return;
    }
    byte[] copy = new byte[buf.remaining()];
    readFully(position, copy, 0, copy.length);
    buf.put(copy);
  }

  @Override
  public long skip(long n) throws IOException {
    ensureOpen();
    return in.skip(n);
  }

  @Override
  public int available() throws IOException {
    ensureOpen();
    return in.available();
  }

  @Override
  public boolean hasCapability(String capability) {
    return switch (capability.toLowerCase(Locale.ROOT)) {
      case StreamCapabilities.READBYTEBUFFER, StreamCapabilities.PREADBYTEBUFFER -> true;
      default -> false;
    };
  }

  @Override
  public void close() {
    closed = true;
    in.close();
  }

  @Override
  public String toString() {
    return "SluiceFsInputStream{" + path + "}";
  }

  private int count(int n) {
    if (n > 0) {
      if (statistics != null) {
        statistics.incrementBytesRead(n);
      }
      bytesRead.addAndGet(n);
      readOps.incrementAndGet();
    }
    return n;
  }

  /** Counts a failed read; returns the exception to throw. */
  private IOException failed(RpcException e) {
    ioStatistics.incrementCounter(StreamStatisticNames.STREAM_READ_EXCEPTIONS);
    return ErrorMapper.lookup(e, path);
  }

  @Override
  public IOStatisticsStore getIOStatistics() {
    return ioStatistics;
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException(FSExceptionMessages.STREAM_IS_CLOSED + ": " + path);
    }
  }
}
