package io.sluice.worker.block;

import io.sluice.common.checksum.ChunkChecksums;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A block's sums file: the CRC32C of each chunk of the block, in a grid of equal chunks from the block's first byte
 * (only the last chunk may be short). Written beside the block at commit, read back when a block found at start is
 * first read. All numbers are big-endian:
 *
 * <pre>
 *   0        4            8                         8 + 4n
 *   +--------+------------+-------------------------+
 *   | "SUMS" | chunk size | CRC32C of chunk 0..n-1  |
 *   +--------+------------+-------------------------+
 * </pre>
 *
 * <p>New files are written in the grid of {@value ChunkChecksums#CHUNK}-byte chunks that readers verify. The header
 * says which grid a file holds, so a file from a worker with another chunk size is recognised rather than taken for
 * one cut short. Files written before the header are the bare sums of {@value #LEGACY_CHUNK}-byte chunks, 4 bytes
 * each and nothing else: a file without the magic whose size is exactly that is read as one. Sums of another grid are
 * not served as they are: {@link #regrid} checks the block against them and sums it in today's grid in one pass.
 */
final class BlockSums {
  /** "SUMS": the first four bytes of a file with a header. */
  static final int MAGIC = 0x53554d53;
  /** The chunk size of the sums files written before they had a header. */
  static final int LEGACY_CHUNK = 64 * 1024;
  private static final int HEADER = 8;
  /** Largest block file summed in one buffer read. */
  private static final int READ = 1 << 20;

  private BlockSums() {}

  /** Sums as a file holds them: the grid they were computed in and one sum per chunk of that grid. */
  record Stored(int chunk, int[] sums) {
    /** Whether these are in the grid readers verify, so they can be served as they are. */
    boolean current() {
      return chunk == ChunkChecksums.CHUNK;
    }
  }

  /** Writes {@code sums} (today's grid) to a new {@code file}, forced to disk with {@code sync}. */
  static void write(Path file, int[] sums, boolean sync) throws IOException {
    write(file, sums, sync, StandardOpenOption.CREATE_NEW);
  }

  /** Like {@link #write(Path, int[], boolean)}, over an existing {@code file}'s content. */
  static void overwrite(Path file, int[] sums, boolean sync) throws IOException {
    write(file, sums, sync, StandardOpenOption.TRUNCATE_EXISTING);
  }

  private static void write(Path file, int[] sums, boolean sync, StandardOpenOption mode) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(HEADER + sums.length * 4);
    b.putInt(MAGIC).putInt(ChunkChecksums.CHUNK);
    b.asIntBuffer().put(sums);
    b.rewind();
    try (FileChannel c = FileChannel.open(file, mode, StandardOpenOption.WRITE)) {
      while (b.hasRemaining()) {
        c.write(b);
      }
      if (sync) {
        c.force(true);
      }
    }
  }

  /**
   * Reads the sums of a block of {@code length} bytes, in whichever grid they were written.
   *
   * @return the sums, or null when the file is missing or does not hold one sum per chunk of the grid it names (cut
   *     short by a crash) or of the legacy grid
   */
  static Stored read(Path file, long length) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    if (bytes.length >= HEADER && b.getInt(0) == MAGIC) {
      int chunk = b.getInt(4);
      return chunk > 0 && bytes.length == HEADER + 4L * chunks(length, chunk) ? new Stored(chunk, ints(b, HEADER))
          : null;
    }
    // A file with a header never gets here, even cut short (its size can never be that of a bare legacy file).
    return bytes.length == 4L * chunks(length, LEGACY_CHUNK) ? new Stored(LEGACY_CHUNK, ints(b, 0)) : null;
  }

  private static long chunks(long length, int chunk) {
    return (length + chunk - 1) / chunk;
  }

  private static int[] ints(ByteBuffer b, int from) {
    int[] out = new int[(b.capacity() - from) / 4];
    b.position(from);
    b.asIntBuffer().get(out);
    return out;
  }

  /** Sums the first {@code length} bytes of {@code blockFile} as they are now. */
  static int[] compute(Path blockFile, long length) throws IOException {
    return scan(blockFile, length, null);
  }

  /**
   * Sums the first {@code length} bytes of {@code blockFile} in today's grid and checks them against {@code stored},
   * sums in another grid, in the same pass.
   *
   * @return today's sums, or null when the bytes do not match {@code stored} (the block is corrupt)
   */
  static int[] regrid(Path blockFile, long length, Stored stored) throws IOException {
    return scan(blockFile, length, new GridCheck(stored));
  }

  private static int[] scan(Path blockFile, long length, GridCheck check) throws IOException {
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
        if (check != null && !check.update(buf.duplicate())) {
          return null;
        }
        sums.update(buf);
        at += n;
      }
    }
    return check == null || check.finish() ? sums.finish() : null;
  }

  /** Checks bytes fed in order from a block's start against sums in the grid they were stored in. */
  private static final class GridCheck {
    private final CRC32C crc = new CRC32C();
    private final int chunk;
    private final int[] sums;
    private int next;
    /** Bytes of the chunk being summed, 0 between chunks. */
    private int partial;

    GridCheck(Stored stored) {
      this.chunk = stored.chunk();
      this.sums = stored.sums();
    }

    /** Adds {@code data}'s remaining bytes (consuming them); false once a whole chunk did not match. */
    boolean update(ByteBuffer data) {
      while (data.hasRemaining()) {
        int n = Math.min(chunk - partial, data.remaining());
        int limit = data.limit();
        data.limit(data.position() + n);
        crc.update(data);
        data.limit(limit);
        partial += n;
        if (partial == chunk && !endChunk()) {
          return false;
        }
      }
      return true;
    }

    /** Ends the block: whether its short last chunk, if any, matched and every sum had its chunk. */
    boolean finish() {
      return (partial == 0 || endChunk()) && next == sums.length;
    }

    private boolean endChunk() {
      boolean ok = next < sums.length && (int) crc.getValue() == sums[next];
      next++;
      crc.reset();
      partial = 0;
      return ok;
    }
  }
}
