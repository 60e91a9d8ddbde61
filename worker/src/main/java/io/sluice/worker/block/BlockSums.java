package io.sluice.worker.block;

import io.sluice.common.checksum.ChunkChecksums;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A block's sums file: the CRC32C of each {@value ChunkChecksums#CHUNK}-byte chunk of the block, 4 bytes each,
 * big-endian, nothing else (its size says how many). Written beside the block at commit, read back when a block found
 * at start is first read.
 */
final class BlockSums {
  /** Largest block file summed in one buffer read. */
  private static final int READ = 1 << 20;

  private BlockSums() {}

  /** Writes {@code sums} to a new {@code file}, forced to disk with {@code sync}. */
  static void write(Path file, int[] sums, boolean sync) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(sums.length * 4);
    b.asIntBuffer().put(sums);
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      while (b.hasRemaining()) {
        c.write(b);
      }
      if (sync) {
        c.force(true);
      }
    }
  }

  /**
   * Reads the sums of a block of {@code length} bytes.
   *
   * @return the sums, or null when the file is missing or does not hold one sum per chunk (cut short by a crash)
   */
  static int[] read(Path file, long length) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (java.nio.file.NoSuchFileException e) {
      return null;
    }
    if (bytes.length != ChunkChecksums.chunks(length) * 4) {
      return null;
    }
    int[] sums = new int[bytes.length / 4];
    ByteBuffer.wrap(bytes).asIntBuffer().get(sums);
    return sums;
  }

  /** Sums the first {@code length} bytes of {@code blockFile} as they are now. */
  static int[] compute(Path blockFile, long length) throws IOException {
    ChunkChecksums sums = new ChunkChecksums();
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(READ, Math.max(1, length)));
    try (FileChannel c = FileChannel.open(blockFile, StandardOpenOption.READ)) {
      long at = 0;
      while (at < length) {
        buf.clear().limit((int) Math.min(buf.capacity(), length - at));
        int n = c.read(buf, at);
        if (n < 0) {
          throw new IOException(blockFile + " ends at " + at + ", before " + length);
        }
        buf.flip();
        sums.update(buf);
        at += n;
      }
    }
    return sums.finish();
  }
}
