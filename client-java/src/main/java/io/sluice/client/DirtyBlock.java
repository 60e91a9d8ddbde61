package io.sluice.client;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The new content of one block a {@link FileEditor} changed, in a temporary file (blocks are up to the block size,
 * 64 MiB by default, too big for the heap). Offsets are within the block. Bytes past what was written read as zeros,
 * so a block that was cut and then grown never shows what it held before. The file is opened with
 * {@code DELETE_ON_CLOSE}: on Unix the JDK unlinks it at once, so it never outlives the process and its space is
 * freed when this closes; elsewhere it is deleted when this closes. Not thread-safe.
 */
final class DirtyBlock implements Closeable {
  private static final int ZEROS = 64 * 1024;

  private final FileChannel channel;
  /** Bytes held, from offset 0; the channel's size, tracked to spare a system call per read. */
  private long size;

  private DirtyBlock(FileChannel channel) {
    this.channel = channel;
  }

  /** An empty block in a new temporary file in {@code dir}, readable only by this user. */
  static DirtyBlock create(Path dir) throws IOException {
    Path file = Files.createTempFile(dir, "sluice-edit-", ".block");
    try {
      return new DirtyBlock(FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
          StandardOpenOption.DELETE_ON_CLOSE));
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(file);
      throw e;
    }
  }

  /** Bytes held; everything from here on reads as zeros. */
  long size() {
    return size;
  }

  /** Writes {@code len} bytes at {@code pos}; a gap between the current size and {@code pos} becomes zeros. */
  void write(long pos, byte[] b, int off, int len) throws IOException {
    if (pos > size) {
      // FileChannel leaves the bytes of a hole unspecified; they must be zeros.
      fillZeros(size, pos);
    }
    writeFully(ByteBuffer.wrap(b, off, len), pos);
    size = Math.max(size, pos + len);
  }

  /** Fills {@code b[off, off + len)} with the bytes at {@code pos}, zeros past the size. */
  void read(long pos, byte[] b, int off, int len) throws IOException {
    int held = (int) Math.max(0, Math.min(len, size - pos));
    ByteBuffer buf = ByteBuffer.wrap(b, off, held);
    while (buf.hasRemaining()) {
      if (channel.read(buf, pos + buf.position() - off) < 0) {
        throw new IOException("temporary block file ended at " + (pos + buf.position() - off) + " of " + size);
      }
    }
    Arrays.fill(b, off + held, off + len, (byte) 0);
  }

  /** Drops the bytes from {@code newSize} on; a no-op when the block holds no more than that. */
  void truncate(long newSize) throws IOException {
    if (newSize < size) {
      channel.truncate(newSize);
      size = newSize;
    }
  }

  /** Deletes the temporary file. Idempotent. */
  @Override
  public void close() throws IOException {
    channel.close();
  }

  private void fillZeros(long from, long to) throws IOException {
    ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(ZEROS, to - from));
    for (long at = from; at < to; ) {
      zeros.clear().limit((int) Math.min(zeros.capacity(), to - at));
      at += writeFully(zeros, at);
    }
  }

  private int writeFully(ByteBuffer buf, long pos) throws IOException {
    int n = buf.remaining();
    while (buf.hasRemaining()) {
      channel.write(buf, pos + n - buf.remaining());
    }
    return n;
  }
}
