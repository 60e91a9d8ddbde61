package io.sluice.worker.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.checksum.ChunkChecksums;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sums file format: which files are read in which grid, and checking a block against another grid's sums. */
class BlockSumsTest {
  private static final int LEGACY = BlockSums.LEGACY_CHUNK;

  @TempDir
  Path dir;

  private final byte[] data = new byte[3 * LEGACY + 777];
  private Path block;

  private void writeBlock() throws Exception {
    new Random(3).nextBytes(data);
    block = Files.write(dir.resolve("block"), data);
  }

  /** The bare sums of {@code data} in {@code chunk}-byte chunks, big-endian, as a file without a header holds them. */
  private static byte[] bare(byte[] data, int chunk) {
    ByteBuffer b = ByteBuffer.allocate(4 * ((data.length + chunk - 1) / chunk));
    for (int at = 0; at < data.length; at += chunk) {
      CRC32C c = new CRC32C();
      c.update(data, at, Math.min(chunk, data.length - at));
      b.putInt((int) c.getValue());
    }
    return b.array();
  }

  private static int[] ints(byte[] bare) {
    int[] out = new int[bare.length / 4];
    ByteBuffer.wrap(bare).asIntBuffer().get(out);
    return out;
  }

  @Test
  void aWrittenFileReadsBackInTodaysGrid() throws Exception {
    writeBlock();
    int[] sums = BlockSums.compute(block, data.length);
    assertArrayEquals(ints(bare(data, ChunkChecksums.CHUNK)), sums);
    Path f = dir.resolve("sums");
    BlockSums.write(f, sums, false);
    assertEquals(8 + 4 * sums.length, Files.size(f));
    BlockSums.Stored s = BlockSums.read(f, data.length);
    assertTrue(s.current());
    assertArrayEquals(sums, s.sums());
    assertNull(BlockSums.read(f, data.length + ChunkChecksums.CHUNK), "one sum short of a longer block");
    assertNull(BlockSums.read(dir.resolve("missing"), data.length));
  }

  @Test
  void aFileWithoutHeaderOfTheLegacySizeIsReadAsLegacySums() throws Exception {
    writeBlock();
    Path f = Files.write(dir.resolve("sums"), bare(data, LEGACY));
    BlockSums.Stored s = BlockSums.read(f, data.length);
    assertEquals(LEGACY, s.chunk());
    assertFalse(s.current());
    assertArrayEquals(BlockSums.compute(block, data.length), BlockSums.regrid(block, data.length, s));
  }

  @Test
  void aFileCutShortOrNeverWrittenIsNoSums() throws Exception {
    writeBlock();
    Path f = dir.resolve("sums");
    int[] sums = BlockSums.compute(block, data.length);
    BlockSums.write(f, sums, false);
    byte[] whole = Files.readAllBytes(f);
    // Cut to the size of a legacy file: it starts with the magic, so it is not taken for one.
    Files.write(f, Arrays.copyOf(whole, bare(data, LEGACY).length));
    assertNull(BlockSums.read(f, data.length));
    Files.write(f, Arrays.copyOf(whole, whole.length - 4));
    assertNull(BlockSums.read(f, data.length));
    Files.write(f, new byte[whole.length]); // its size on disk, but not its bytes
    assertNull(BlockSums.read(f, data.length));
  }

  @Test
  void sumsOfAnotherGridAreCheckedWholeAgainstTheBlock() throws Exception {
    writeBlock();
    int other = 2 * ChunkChecksums.CHUNK;
    ByteBuffer file = ByteBuffer.allocate(8 + bare(data, other).length);
    file.putInt(BlockSums.MAGIC).putInt(other).put(bare(data, other));
    Path f = Files.write(dir.resolve("sums"), file.array());
    BlockSums.Stored s = BlockSums.read(f, data.length);
    assertEquals(other, s.chunk());
    assertArrayEquals(BlockSums.compute(block, data.length), BlockSums.regrid(block, data.length, s));

    BlockSums.Stored legacy = new BlockSums.Stored(LEGACY, ints(bare(data, LEGACY)));
    for (int at : new int[] {0, LEGACY + 5, data.length - 1}) { // the first, a middle and the short last chunk
      byte[] bad = data.clone();
      bad[at] ^= 0x20;
      Path b = Files.write(dir.resolve("bad"), bad);
      assertNull(BlockSums.regrid(b, bad.length, legacy), "a flipped byte at " + at);
    }
  }
}
