package io.sluice.common.checksum;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class ChunkChecksumsTest {
  private static final int CHUNK = ChunkChecksums.CHUNK;

  /** The oracle: CRC32C of each chunk-sized slice, computed slice by slice. */
  private static int[] expected(byte[] data) {
    int[] out = new int[(data.length + CHUNK - 1) / CHUNK];
    for (int i = 0; i < out.length; i++) {
      CRC32C c = new CRC32C();
      c.update(data, i * CHUNK, Math.min(CHUNK, data.length - i * CHUNK));
      out[i] = (int) c.getValue();
    }
    return out;
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void piecesOfAnySizeGiveTheSumsOfWholeChunks() {
    byte[] data = random(5 * CHUNK + 1234, 1);
    ChunkChecksums c = new ChunkChecksums();
    Random r = new Random(2);
    int at = 0;
    while (at < data.length) {
      int n = Math.min(data.length - at, 1 + r.nextInt(3 * CHUNK));
      c.update(ByteBuffer.wrap(data, at, n));
      at += n;
    }
    assertArrayEquals(expected(data), c.finish());
  }

  /** A follower of a block being written copies the sums so far, only new ones each time, and the last at the end. */
  @Test
  void copySumsGivesTheWholeChunksSoFarAndThePartialOneOnlyWhenAsked() {
    byte[] data = random(3 * CHUNK + 777, 5);
    int[] want = expected(data);
    ChunkChecksums c = new ChunkChecksums();
    int[] got = new int[want.length];
    int n = 0;
    int at = 0;
    for (int piece : new int[] {CHUNK / 2, CHUNK, 2 * CHUNK - CHUNK / 2, 777}) {
      c.update(ByteBuffer.wrap(data, at, piece));
      at += piece;
      boolean end = at == data.length;
      n = c.copySums(got, n, end);
      assertEquals(end ? want.length : at / CHUNK, n, "sums after " + at + " bytes");
    }
    assertArrayEquals(want, got);
    assertArrayEquals(want, c.finish(), "copying ended nothing");
  }

  @Test
  void anExactMultipleHasNoShortChunkAndEmptyDataNone() {
    byte[] data = random(3 * CHUNK, 3);
    assertArrayEquals(expected(data), ChunkChecksums.of(ByteBuffer.wrap(data)));
    assertEquals(0, ChunkChecksums.of(ByteBuffer.allocate(0)).length);
    assertEquals(3, ChunkChecksums.chunks(3L * CHUNK));
    assertEquals(4, ChunkChecksums.chunks(3L * CHUNK + 1));
  }

  @Test
  void firstMismatchNamesTheCorruptChunk() {
    byte[] data = random(4 * CHUNK + 10, 4);
    int[] sums = expected(data);
    assertEquals(-1, ChunkChecksums.firstMismatch(ByteBuffer.wrap(data), 0, data.length, sums, 0));
    // Chunks 2.. checked from their own offset in a larger array.
    assertEquals(-1, ChunkChecksums.firstMismatch(ByteBuffer.wrap(data), 2 * CHUNK, data.length - 2 * CHUNK, sums,
        2));
    // The same bytes in native memory are checked where they lie, and the buffer is left as it was.
    ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).position(5).limit(6);
    assertEquals(-1, ChunkChecksums.firstMismatch(direct, 0, data.length, sums, 0));
    assertEquals(5, direct.position());
    assertEquals(6, direct.limit());
    direct.clear().put(CHUNK + 1, (byte) (data[CHUNK + 1] ^ 1));
    assertEquals(CHUNK, ChunkChecksums.firstMismatch(direct, 0, data.length, sums, 0));
    data[3 * CHUNK + 77] ^= 1;
    assertEquals(3L * CHUNK, ChunkChecksums.firstMismatch(ByteBuffer.wrap(data), 0, data.length, sums, 0));
    List<Integer> tail = List.of(sums[1], sums[2], sums[3], sums[4]);
    assertEquals(2L * CHUNK, ChunkChecksums.firstMismatch(tail, ByteBuffer.wrap(data, CHUNK, data.length - CHUNK)),
        "relative to the data");
    // The same data in pieces that cut chunks anywhere, as a buffer of several components gives it.
    assertEquals(2L * CHUNK, ChunkChecksums.firstMismatch(tail, ByteBuffer.wrap(data, CHUNK, 100),
        ByteBuffer.wrap(data, CHUNK + 100, CHUNK + 7), ByteBuffer.wrap(data, 2 * CHUNK + 107, data.length - 2 * CHUNK
        - 107)));
    assertEquals(-1, ChunkChecksums.firstMismatch(List.of(sums[0]), ByteBuffer.wrap(data, 0, 10),
        ByteBuffer.wrap(data, 10, CHUNK - 10)));
    assertEquals(CHUNK, ChunkChecksums.firstMismatch(List.of(sums[0], sums[1]), ByteBuffer.wrap(data, 0, CHUNK)),
        "a sum too many is a mismatch");
    assertEquals(0, ChunkChecksums.firstMismatch(List.of(), ByteBuffer.wrap(data, 0, 10)), "no sums: a mismatch");
    // More data than sums: the missing sum is a mismatch, not an exception.
    assertEquals(4L * CHUNK, ChunkChecksums.firstMismatch(ByteBuffer.wrap(data), 4 * CHUNK, 10, new int[4],
        4));
  }
}
