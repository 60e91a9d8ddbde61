package io.sluice.hadoop;

import io.sluice.client.SluiceOutputStream;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.statistics.IOStatisticsSource;
import org.apache.hadoop.fs.statistics.StreamStatisticNames;
import org.apache.hadoop.fs.statistics.impl.IOStatisticsStore;

/**
 * A {@link SluiceOutputStream} whose failures reach Hadoop callers mapped ({@link ErrorMapper}). The file has its
 * content once {@link #close()} succeeds; it is not {@code Syncable}, so {@code hflush}/{@code hsync} degrade to
 * {@link #flush()}, which makes nothing visible (close-to-open consistency, DESIGN §3). Bytes written and failures
 * are counted in its {@link #getIOStatistics() IOStatistics} ({@code FSDataOutputStream} hands them on).
 */
final class SluiceFsOutputStream extends OutputStream implements IOStatisticsSource {
  private final SluiceOutputStream out;
  private final Path path;
  private final IOStatisticsStore ioStatistics = SluiceIOStatistics.forOutputStream();
  // Resolved once: every write counts, and a name lookup per call would cost more than the count.
  private final AtomicLong bytesWritten = ioStatistics.getCounterReference(StreamStatisticNames.STREAM_WRITE_BYTES);

  SluiceFsOutputStream(SluiceOutputStream out, Path path) {
    this.out = out;
    this.path = path;
  }

  @Override
  public void write(int b) throws IOException {
    try {
      out.write(b);
      bytesWritten.incrementAndGet();
    } catch (RpcException e) {
      throw failed(e);
    }
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    try {
      out.write(b, off, len);
      bytesWritten.addAndGet(len);
    } catch (RpcException e) {
      throw failed(e);
    }
  }

  @Override
  public void flush() throws IOException {
    try {
      out.flush();
    } catch (RpcException e) {
      throw failed(e);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      out.close();
    } catch (RpcException e) {
      throw failed(e);
    }
  }

  /** Counts a failure; returns the exception to throw. */
  private IOException failed(RpcException e) {
    ioStatistics.incrementCounter(StreamStatisticNames.STREAM_WRITE_EXCEPTIONS);
    return ErrorMapper.map(e, path);
  }

  @Override
  public IOStatisticsStore getIOStatistics() {
    return ioStatistics;
  }

  @Override
  public String toString() {
    return "SluiceFsOutputStream{" + path + "}";
  }
}
