package io.sluice.ufs.local;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;

/**
 * A range of a local file, readable as a stream and as a channel. The channel side is why it exists: a reader with a
 * direct buffer (a worker loading a block into its cache) gets the bytes in one copy, where a stream's
 * {@code byte[]} costs two more (the JDK reads a file into a native buffer and copies that into the array, and
 * copies it out again to write it). Reads are positioned, so the channel's own position does not matter. Ends at
 * the range's end or the file's, whichever comes first; a file that shrank ends the range early.
 */
final class FileRangeStream extends InputStream implements ReadableByteChannel {
  private final FileChannel file;
  private long position;
  private long remaining;
  private final byte[] one = new byte[1];

  /** @param length bytes to give at most; negative for all up to the file's end */
  FileRangeStream(FileChannel file, long offset, long length) {
    this.file = file;
    this.position = offset;
    this.remaining = length < 0 ? Long.MAX_VALUE : length;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    if (!dst.hasRemaining()) {
      return 0;
    }
    if (remaining <= 0) {
      return -1;
    }
    int n;
    if (dst.remaining() <= remaining) {
      n = file.read(dst, position);
    } else {
      ByteBuffer part = dst.slice().limit((int) remaining);
      n = file.read(part, position);
      if (n > 0) {
        dst.position(dst.position() + n);
      }
    }
    advance(n);
    return n;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    return read(ByteBuffer.wrap(b, off, len));
  }

  @Override
  public int read() throws IOException {
    int n = read(one, 0, 1);
    return n <= 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public long skip(long n) throws IOException {
    long k = Math.max(0, Math.min(Math.min(n, remaining), file.size() - position));
    advance(k);
    return k;
  }

  @Override
  public boolean isOpen() {
    return file.isOpen();
  }

  @Override
  public void close() throws IOException {
    file.close();
  }

  private void advance(long n) {
    if (n > 0) {
      position += n;
      remaining -= n;
    }
  }
}
