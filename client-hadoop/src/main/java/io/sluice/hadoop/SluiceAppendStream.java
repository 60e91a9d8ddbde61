package io.sluice.hadoop;

import io.sluice.client.FileEditor;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;
import org.apache.hadoop.fs.Path;

/**
 * Appends to a complete file through a {@link FileEditor}: bytes go at the editor's end, and {@link #close()}
 * commits them, so readers that open the file afterwards see them all at once (close-to-open consistency, DESIGN
 * §3). Like {@link SluiceFsOutputStream} it is not {@code Syncable}: {@link #flush()} makes nothing visible.
 * Failures reach Hadoop callers mapped ({@link ErrorMapper#edit}); a commit that lost to another writer fails the
 * close with an {@link IOException} and appends nothing.
 */
final class SluiceAppendStream extends OutputStream {
  /**
   * Coalesces small writes: each editor write is a write to a temporary file, too dear per byte. Larger writes
   * skip it.
   */
  private static final int BUFFER_SIZE = 8 * 1024;

  private final FileEditor editor;
  private final Path path;
  private final byte[] buffer = new byte[BUFFER_SIZE];
  private int buffered;
  private boolean closed;

  SluiceAppendStream(FileEditor editor, Path path) {
    this.editor = editor;
    this.path = path;
  }

  @Override
  public void write(int b) throws IOException {
    ensureOpen();
    if (buffered == buffer.length) {
      drain();
    }
    buffer[buffered++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    ensureOpen();
    if (len > buffer.length - buffered) {
      drain();
    }
    if (len >= buffer.length) {
      append(b, off, len);
    } else {
      System.arraycopy(b, off, buffer, buffered, len);
      buffered += len;
    }
  }

  /** Hands the buffered bytes to the editor; makes nothing visible. */
  @Override
  public void flush() throws IOException {
    ensureOpen();
    drain();
  }

  /** Commits the appended bytes and releases the editor. Idempotent: only the first call can fail. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      drain();
    } catch (IOException | RuntimeException e) {
      // Nothing may be committed without the buffered tail; the editor's temporary files go either way.
      abortAfter(e);
      throw e;
    }
    try {
      editor.close();
    } catch (RpcException e) {
      throw ErrorMapper.edit(e, path);
    }
  }

  @Override
  public String toString() {
    return "SluiceAppendStream{" + path + "}";
  }

  private void drain() throws IOException {
    if (buffered > 0) {
      int n = buffered;
      buffered = 0;
      append(buffer, 0, n);
    }
  }

  private void append(byte[] b, int off, int len) throws IOException {
    try {
      editor.write(editor.length(), b, off, len);
    } catch (RpcException e) {
      throw ErrorMapper.edit(e, path);
    }
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException(path + ": stream closed");
    }
  }

  private void abortAfter(Exception cause) {
    try {
      editor.abort();
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
    }
  }
}
