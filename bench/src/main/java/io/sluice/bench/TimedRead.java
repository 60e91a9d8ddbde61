package io.sluice.bench;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;

/**
 * One timed read of a whole file through any client: sequential reads into a {@code byte[]}, or positioned
 * {@code readFully} calls of one buffer each at every buffer-aligned offset in a shuffled order. Returns MiB/s; the
 * caller opens the stream, so the open is timed too (as a job pays it).
 */
final class TimedRead {
  /** Opens a fresh stream over the file. */
  interface Opener<T extends Closeable> {
    T open() throws IOException;
  }

  /** A positioned {@code readFully} of the stream type: fills {@code b[off, off + len)} from {@code pos}. */
  interface Pread<T> {
    void readFully(T in, long pos, byte[] b, int off, int len) throws IOException;
  }

  private TimedRead() {}

  static double sequential(long length, byte[] buf, Opener<? extends InputStream> opener) throws IOException {
    long start = System.nanoTime();
    long n = 0;
    try (InputStream in = opener.open()) {
      for (int k; (k = in.read(buf, 0, buf.length)) > 0; ) {
        n += k;
      }
    }
    long nanos = System.nanoTime() - start;
    if (n != length) {
      throw new EOFException("read " + n + " bytes, expected " + length);
    }
    return mibPerSecond(n, nanos);
  }

  /** {@code length} must be a multiple of {@code buf.length}. */
  static <T extends Closeable> double positioned(long length, byte[] buf, Opener<T> opener, Pread<T> pread)
      throws IOException {
    long[] offsets = shuffledOffsets(length, buf.length);
    long start = System.nanoTime();
    try (T in = opener.open()) {
      for (long pos : offsets) {
        pread.readFully(in, pos, buf, 0, buf.length);
      }
    }
    return mibPerSecond(length, System.nanoTime() - start);
  }

  /** The same order for every client and run (fixed seed), so they do the same work. */
  static long[] shuffledOffsets(long length, int step) {
    long[] offsets = new long[Math.toIntExact(length / step)];
    Arrays.setAll(offsets, i -> (long) i * step);
    Random random = new Random(42);
    for (int i = offsets.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      long t = offsets[i];
      offsets[i] = offsets[j];
      offsets[j] = t;
    }
    return offsets;
  }

  static double mibPerSecond(long bytes, long nanos) {
    return bytes / (1024.0 * 1024.0) / (nanos / 1e9);
  }
}
