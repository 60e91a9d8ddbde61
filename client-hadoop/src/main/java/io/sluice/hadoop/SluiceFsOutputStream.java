package io.sluice.hadoop;

import io.sluice.client.SluiceOutputStream;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.io.OutputStream;
import org.apache.hadoop.fs.Path;

/**
 * A {@link SluiceOutputStream} whose failures reach Hadoop callers mapped ({@link ErrorMapper}). The file has its
 * content once {@link #close()} succeeds; it is not {@code Syncable}, so {@code hflush}/{@code hsync} degrade to
 * {@link #flush()}, which makes nothing visible (close-to-open consistency, DESIGN §3).
 */
final class SluiceFsOutputStream extends OutputStream {
  private final SluiceOutputStream out;
  private final Path path;

  SluiceFsOutputStream(SluiceOutputStream out, Path path) {
    this.out = out;
    this.path = path;
  }

  @Override
  public void write(int b) throws IOException {
    try {
      out.write(b);
    } catch (RpcException e) {
      throw ErrorMapper.map(e, path);
    }
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    try {
      out.write(b, off, len);
    } catch (RpcException e) {
      throw ErrorMapper.map(e, path);
    }
  }

  @Override
  public void flush() throws IOException {
    try {
      out.flush();
    } catch (RpcException e) {
      throw ErrorMapper.map(e, path);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      out.close();
    } catch (RpcException e) {
      throw ErrorMapper.map(e, path);
    }
  }

  @Override
  public String toString() {
    return "SluiceFsOutputStream{" + path + "}";
  }
}
