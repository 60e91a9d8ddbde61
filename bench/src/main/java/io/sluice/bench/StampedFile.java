package io.sluice.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

/**
 * Bench file content that needs no copy of the file in memory: 1 MiB blocks of the same random bytes, each starting
 * with its own index, so a short, shifted or misplaced block fails {@link #verify}. Not thread-safe: one instance
 * per writing thread.
 */
final class StampedFile {
  static final int BLOCK = 1 << 20;

  private final byte[] block = new byte[BLOCK];
  private final byte[] expected;

  StampedFile() {
    new Random(7).nextBytes(block);
    expected = block.clone();
  }

  /** Writes {@code blocks} blocks of 1 MiB, one {@code write} call each. */
  void write(OutputStream out, int blocks) throws IOException {
    for (int i = 0; i < blocks; i++) {
      ByteBuffer.wrap(block).putLong(0, i);
      out.write(block);
    }
  }

  /** Reads {@code blocks} blocks and fails unless each is the one {@link #write} wrote there; then expects EOF. */
  void verify(InputStream in, int blocks) throws IOException {
    DataInputStream data = new DataInputStream(in);
    byte[] got = new byte[BLOCK];
    for (int i = 0; i < blocks; i++) {
      data.readFully(got);
      ByteBuffer.wrap(expected).putLong(0, i);
      if (!Arrays.equals(expected, got)) {
        throw new IOException("block " + i + " differs from what was written");
      }
    }
    if (in.read() != -1) {
      throw new IOException("more than " + blocks + " blocks");
    }
  }
}
