package io.sluice.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.testing.FakeCluster;
import io.sluice.common.proto.FileInfo;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Files written through {@link SluiceOutputStream} and read back through {@link SluiceInputStream}: every read
 * style returns exactly the bytes written. The cluster uses 1 MiB blocks, 64 KiB write and 48 KiB read chunks.
 */
class ReadWriteTest {
  private static final int MIB = 1 << 20;
  private static final long SEED = System.nanoTime();

  private FakeCluster cluster;
  private SluiceClient client;
  private final Random random = new Random(SEED);

  @BeforeEach
  void start() throws Exception {
    cluster = FakeCluster.start(2);
    client = SluiceClient.connect(cluster.conf());
  }

  @AfterEach
  void stop() {
    client.close();
    cluster.close();
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  /** Writes {@code data} in pieces of varying size (including single bytes) to exercise the chunk buffer. */
  private void write(String path, byte[] data) throws IOException {
    try (SluiceOutputStream out = client.create(path)) {
      int at = 0;
      while (at < data.length) {
        int n = Math.min(data.length - at, random.nextInt(3) == 0 ? 1 : 1 + random.nextInt(200_000));
        if (n == 1) {
          out.write(data[at]);
        } else {
          out.write(data, at, n);
        }
        at += n;
      }
      assertEquals(data.length, out.length());
    }
  }

  private byte[] readAll(String path, int bufSize) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[bufSize];
    try (SluiceInputStream in = client.open(path)) {
      for (int n; (n = in.read(buf, 0, buf.length)) >= 0; ) {
        all.write(buf, 0, n);
      }
      assertEquals(-1, in.read());
      assertEquals(in.length(), in.getPos());
    }
    return all.toByteArray();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 1000, 64 * 1024, MIB - 1, MIB, MIB + 1, 3 * MIB + 12345})
  void writeThenReadBack(int size) throws Exception {
    byte[] data = randomBytes(size);
    write("/f", data);
    FileInfo info = client.getStatus("/f");
    assertTrue(info.getComplete());
    assertEquals(size, info.getLength());
    assertEquals((size + MIB - 1) / MIB, info.getBlocksCount(), "blocks of a " + size + "-byte file");
    assertArrayEquals(data, readAll("/f", 7919), "seed " + SEED);
  }

  @Test
  void largeFileAcrossManyBlocksWithOddBuffers() throws Exception {
    byte[] data = randomBytes(10 * MIB + 4321);
    write("/big", data);
    assertEquals(11, client.getStatus("/big").getBlocksCount());
    for (int buf : new int[] {1013, 65537, 3 * MIB}) {
      assertArrayEquals(data, readAll("/big", buf), "buffer " + buf + ", seed " + SEED);
    }
  }

  @Test
  void byteByByteReadOfASmallFile() throws Exception {
    byte[] data = randomBytes(100_000);
    write("/small", data);
    try (SluiceInputStream in = client.open("/small")) {
      for (int i = 0; i < data.length; i++) {
        assertEquals(data[i] & 0xff, in.read(), "byte " + i);
      }
      assertEquals(-1, in.read());
      assertEquals(-1, in.read(new byte[10], 0, 10));
      assertEquals(0, in.read(new byte[10], 0, 0));
    }
  }

  @Test
  void positionedReadsAtRandomOffsetsLeaveThePositionAlone() throws Exception {
    byte[] data = randomBytes(5 * MIB + 777);
    write("/p", data);
    try (SluiceInputStream in = client.open("/p")) {
      byte[] head = new byte[1000];
      assertEquals(1000, in.read(head, 0, 1000)); // the sequential stream is open and reading ahead
      for (int i = 0; i < 60; i++) {
        int pos = random.nextInt(data.length);
        int len = 1 + random.nextInt(Math.min(3 * MIB, data.length - pos));
        byte[] got = new byte[len + 2];
        assertEquals(len, in.read(pos, got, 1, len));
        assertArrayEquals(Arrays.copyOfRange(data, pos, pos + len), Arrays.copyOfRange(got, 1, len + 1),
            "pread " + pos + "+" + len + ", seed " + SEED);
        assertEquals(1000, in.getPos());
      }
      // pread at the very end is short, past it is -1
      byte[] tail = new byte[100];
      assertEquals(10, in.read(data.length - 10, tail, 0, 100));
      assertArrayEquals(Arrays.copyOfRange(data, data.length - 10, data.length), Arrays.copyOf(tail, 10));
      assertEquals(-1, in.read(data.length, tail, 0, 100));
      // the sequential stream continues where it was
      byte[] next = new byte[5000];
      in.readNBytes(next, 0, next.length);
      assertArrayEquals(Arrays.copyOfRange(data, 1000, 6000), next);
    }
  }

  @Test
  void readFullyAtPositionAndPastTheEnd() throws Exception {
    byte[] data = randomBytes(2 * MIB + 5);
    write("/rf", data);
    try (SluiceInputStream in = client.open("/rf")) {
      byte[] got = new byte[MIB + 10];
      in.readFully(MIB - 5, got, 0, got.length); // spans a block boundary
      assertArrayEquals(Arrays.copyOfRange(data, MIB - 5, 2 * MIB + 5), got);
      assertThrows(EOFException.class, () -> in.readFully(2 * MIB, new byte[6], 0, 6));
      assertThrows(EOFException.class, () -> in.readFully(-1, new byte[1], 0, 1));
      assertEquals(0, in.getPos());
    }
  }

  @Test
  void seekBackAndForthAndSkip() throws Exception {
    byte[] data = randomBytes(4 * MIB + 99);
    write("/s", data);
    try (SluiceInputStream in = client.open("/s")) {
      byte[] buf = new byte[4096];
      long[] targets = {3 * MIB + 17, 10, MIB, MIB - 1, 4 * MIB + 50, 0, 2 * MIB + 65_000, 2 * MIB + 70_000};
      for (long t : targets) {
        in.seek(t);
        assertEquals(t, in.getPos());
        int n = in.read(buf, 0, buf.length);
        assertTrue(n > 0);
        assertArrayEquals(Arrays.copyOfRange(data, (int) t, (int) t + n), Arrays.copyOf(buf, n), "at " + t);
      }
      // a short forward seek inside what is buffered, then one far ahead
      in.seek(100);
      assertEquals(data[100] & 0xff, in.read());
      in.seek(120);
      assertEquals(data[120] & 0xff, in.read());
      assertEquals(1000, in.skip(1000));
      assertEquals(1121, in.getPos());
      assertEquals(data[1121] & 0xff, in.read());
      assertEquals(data.length - 1122, in.skip(Long.MAX_VALUE));
      assertEquals(-1, in.read());
      assertEquals(0, in.skip(10));
      in.seek(data.length); // seeking to the end is allowed
      assertEquals(-1, in.read());
      assertThrows(EOFException.class, () -> in.seek(data.length + 1));
      assertThrows(EOFException.class, () -> in.seek(-1));
    }
  }

  @Test
  void availableCountsOnlyBufferedBytes() throws Exception {
    byte[] data = randomBytes(200_000);
    write("/av", data);
    try (SluiceInputStream in = client.open("/av")) {
      assertEquals(0, in.available());
      assertEquals(data[0] & 0xff, in.read());
      assertTrue(in.available() <= data.length - 1);
    }
  }

  @Test
  void overwriteReplacesTheContent() throws Exception {
    write("/o", randomBytes(3000));
    byte[] second = randomBytes(10);
    try (SluiceOutputStream out = client.create("/o", CreateOptions.defaults().withOverwrite(true))) {
      out.write(second);
    }
    assertArrayEquals(second, readAll("/o", 100));
  }

  @Test
  void streamsAreUsableFromManyThreadsWithPositionedReads() throws Exception {
    byte[] data = randomBytes(3 * MIB);
    write("/mt", data);
    try (SluiceInputStream in = client.open("/mt")) {
      Thread[] threads = new Thread[4];
      Throwable[] errors = new Throwable[threads.length];
      for (int t = 0; t < threads.length; t++) {
        int id = t;
        threads[t] = new Thread(() -> {
          Random r = new Random(SEED + id);
          try {
            for (int i = 0; i < 20; i++) {
              int pos = r.nextInt(data.length - 1);
              int len = 1 + r.nextInt(Math.min(200_000, data.length - pos));
              byte[] got = new byte[len];
              in.readFully(pos, got, 0, len);
              assertArrayEquals(Arrays.copyOfRange(data, pos, pos + len), got);
            }
          } catch (Throwable e) {
            errors[id] = e;
          }
        });
        threads[t].start();
      }
      for (Thread t : threads) {
        t.join();
      }
      for (Throwable e : errors) {
        if (e != null) {
          throw new AssertionError("seed " + SEED, e);
        }
      }
    }
  }
}
