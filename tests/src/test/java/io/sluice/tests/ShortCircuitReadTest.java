package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.ClientKeys;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceInputStream;
import io.sluice.client.block.ShortCircuit;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Short-circuit local reads (issue 4) against a real master and worker on loopback: the worker is on this host, so a
 * client reads cached blocks from the worker's block files. The same file read with short-circuit on and off gives
 * the written bytes, sequentially, by positioned reads and after seeks across block boundaries; the worker's counters
 * show which path served them; a worker that refuses short-circuit is read remotely without an error.
 */
class ShortCircuitReadTest {
  private static final int BLOCK = 1 << 20;
  /** Five whole blocks and a partial one. */
  private static final int SIZE = 5 * BLOCK + 123_457;
  private static final String OPENS = "sluice_worker_short_circuit_opens_total";
  private static final String LEASES = "sluice_worker_short_circuit_leases";
  private static final String REMOTE_BYTES = "sluice_worker_data_read_bytes_total";
  private static final String ZERO_COPY_BYTES = "sluice_worker_data_read_zero_copy_bytes_total";

  @TempDir
  Path dir;

  private LocalCluster cluster(String... extra) throws Exception {
    String[] conf = {"sluice.user.block.size", Integer.toString(BLOCK), "sluice.worker.http.port", "0",
        "sluice.master.http.port", "0"};
    String[] all = Arrays.copyOf(conf, conf.length + extra.length);
    System.arraycopy(extra, 0, all, conf.length, extra.length);
    LocalCluster c = new LocalCluster(dir, all);
    c.startMaster();
    c.startWorker();
    return c;
  }

  private static byte[] write(SluiceClient client, String path, long seed) throws Exception {
    byte[] data = new byte[SIZE];
    new Random(seed).nextBytes(data);
    client.mkdir("/sc", true);
    try (OutputStream out = client.create(path)) {
      out.write(data);
    }
    return data;
  }

  @Test
  void shortCircuitAndRemoteReadsReturnTheWrittenBytes() throws Exception {
    long seed = System.nanoTime();
    System.out.println("ShortCircuitReadTest seed " + seed);
    try (LocalCluster cluster = cluster()) {
      InetSocketAddress metrics = cluster.workerHttp().orElseThrow();
      byte[] data;
      try (SluiceClient writer = cluster.client()) {
        cluster.awaitWorker(writer);
        data = write(writer, "/sc/file.bin", seed);
      }

      double opens0 = Scrape.value(metrics, OPENS);
      double remote0 = Scrape.value(metrics, REMOTE_BYTES);
      long clientBytes0 = ShortCircuit.bytesRead();
      try (SluiceClient local = cluster.client()) {
        readEveryWay(local, "/sc/file.bin", data, new Random(seed + 1));
      }
      double opens1 = Scrape.value(metrics, OPENS);
      assertTrue(opens1 >= opens0 + 6, "every block opened by short-circuit: " + opens0 + " -> " + opens1);
      assertEquals(remote0, Scrape.value(metrics, REMOTE_BYTES), "no byte went over the block RPC");
      assertTrue(ShortCircuit.bytesRead() - clientBytes0 >= 2L * SIZE, "the client counted what it read");
      // Closing the streams ended every lease; the CLOSE calls are not waited for, so wait for the worker here.
      LocalCluster.await(() -> gauge(metrics, LEASES) == 0, Duration.ofSeconds(30), "leases released");

      long clientBytes1 = ShortCircuit.bytesRead();
      double zeroCopy0 = Scrape.value(metrics, ZERO_COPY_BYTES);
      try (SluiceClient remote = SluiceClient.connect(cluster.conf()
          .with(ClientKeys.SHORT_CIRCUIT_ENABLED, "false"))) {
        readEveryWay(remote, "/sc/file.bin", data, new Random(seed + 1));
      }
      assertEquals(opens1, Scrape.value(metrics, OPENS), "short-circuit off: no lease asked for");
      assertEquals(clientBytes1, ShortCircuit.bytesRead());
      // A region is counted once the transport wrote it, a moment after the client had it.
      LocalCluster.await(() -> gauge(metrics, REMOTE_BYTES) >= remote0 + 2.0 * SIZE, Duration.ofSeconds(30),
          "remote bytes counted");
      // Zero copy really happens: every block byte the worker sent went as a FileRegion (sendfile on epoll). The two
      // counters are bumped one after the other and scraped apart: equal once the last frames are counted.
      LocalCluster.await(() -> gauge(metrics, REMOTE_BYTES) - remote0 == gauge(metrics, ZERO_COPY_BYTES) - zeroCopy0,
          Duration.ofSeconds(30), "every remote byte sent zero copy");
    }
  }

  @Test
  void randomReadsKeepTheirShortCircuitLeases() throws Exception {
    long seed = System.nanoTime();
    System.out.println("ShortCircuitReadTest seed " + seed);
    try (LocalCluster cluster = cluster()) {
      InetSocketAddress metrics = cluster.workerHttp().orElseThrow();
      try (SluiceClient client = cluster.client()) {
        cluster.awaitWorker(client);
        byte[] data = write(client, "/sc/seek.bin", seed);
        double opens0 = Scrape.value(metrics, OPENS);
        Random random = new Random(seed);
        byte[] b = new byte[4096];
        try (SluiceInputStream in = client.open("/sc/seek.bin")) {
          // Random 4 KiB reads inside block 2, backwards as often as forwards (FUSE random reads do this).
          for (int i = 0; i < 200; i++) {
            int at = 2 * BLOCK + random.nextInt(BLOCK - b.length);
            in.seek(at);
            assertEquals(b.length, in.readNBytes(b, 0, b.length));
            assertArrayEquals(Arrays.copyOfRange(data, at, at + b.length), b, "at " + at);
          }
        }
        assertEquals(opens0 + 1, Scrape.value(metrics, OPENS), "one lease served every seek inside the block");
        // Across blocks 0-3: each block's lease is taken once, however the reads jump between them.
        double opens1 = Scrape.value(metrics, OPENS);
        try (SluiceInputStream in = client.open("/sc/seek.bin")) {
          for (int i = 0; i < 200; i++) {
            int at = random.nextInt(4 * BLOCK - b.length);
            in.seek(at);
            assertEquals(b.length, in.readNBytes(b, 0, b.length));
            assertArrayEquals(Arrays.copyOfRange(data, at, at + b.length), b, "at " + at);
          }
          // Leases are closed asynchronously: the first stream's may still be on its way.
          LocalCluster.await(() -> gauge(metrics, LEASES) == 4, Duration.ofSeconds(30),
              "the readers of blocks left by a jump stay open");
        }
        // A stream that only reads on in order keeps no reader behind it.
        try (SluiceInputStream in = client.open("/sc/seek.bin")) {
          for (int at = 0; at < SIZE; at += b.length) {
            assertEquals(Math.min(b.length, SIZE - at), in.readNBytes(b, 0, b.length));
            assertArrayEquals(Arrays.copyOfRange(data, at, Math.min(SIZE, at + b.length)),
                Arrays.copyOf(b, Math.min(b.length, SIZE - at)), "at " + at);
            if (at % BLOCK == BLOCK / 2) {
              LocalCluster.await(() -> gauge(metrics, LEASES) <= 1, Duration.ofSeconds(30),
                  "a sequential read holds one lease at a time");
            }
          }
        }
        assertEquals(opens1 + 4 + SIZE / BLOCK + 1, Scrape.value(metrics, OPENS), "one lease per block read");
      }
    }
  }

  @Test
  void aWorkerThatRefusesShortCircuitIsReadRemotely() throws Exception {
    long seed = System.nanoTime();
    System.out.println("ShortCircuitReadTest seed " + seed);
    try (LocalCluster cluster = cluster("sluice.worker.short.circuit.enabled", "false")) {
      InetSocketAddress metrics = cluster.workerHttp().orElseThrow();
      try (SluiceClient client = cluster.client()) {
        cluster.awaitWorker(client);
        byte[] data = write(client, "/sc/refused.bin", seed);
        long fallbacks0 = ShortCircuit.fallbacks();
        readEveryWay(client, "/sc/refused.bin", data, new Random(seed + 1));
        assertEquals(0, Scrape.value(metrics, OPENS));
        // The refusal is remembered per connection: one fallback, not one per block.
        assertEquals(fallbacks0 + 1, ShortCircuit.fallbacks());
      }
    }
  }

  /**
   * A client that cannot read the worker's short-circuit token (issue 9: as a client of another OS user could not;
   * here the file is deleted) reads every byte over the block RPC and never holds a lease; once the token is back, a
   * new client short-circuits again.
   */
  @Test
  void aClientThatCannotReadTheWorkersTokenReadsRemotely() throws Exception {
    long seed = System.nanoTime();
    System.out.println("ShortCircuitReadTest seed " + seed);
    try (LocalCluster cluster = cluster()) {
      InetSocketAddress metrics = cluster.workerHttp().orElseThrow();
      try (SluiceClient writer = cluster.client()) {
        cluster.awaitWorker(writer);
        byte[] data = write(writer, "/sc/token.bin", seed);
        java.nio.file.Path token = dir.resolve("worker/short-circuit.token");
        byte[] saved = java.nio.file.Files.readAllBytes(token);
        java.nio.file.Files.delete(token);

        double opens0 = Scrape.value(metrics, OPENS);
        double remote0 = Scrape.value(metrics, REMOTE_BYTES);
        long clientOpens0 = ShortCircuit.opens();
        try (SluiceClient other = cluster.client()) {
          readEveryWay(other, "/sc/token.bin", data, new Random(seed + 1));
        }
        assertEquals(opens0, Scrape.value(metrics, OPENS), "no lease granted");
        assertEquals(0, Scrape.value(metrics, LEASES));
        assertEquals(clientOpens0, ShortCircuit.opens());
        LocalCluster.await(() -> gauge(metrics, REMOTE_BYTES) >= remote0 + 2.0 * SIZE, Duration.ofSeconds(30),
            "every byte over the block RPC");

        java.nio.file.Files.write(token, saved);
        try (SluiceClient local = cluster.client()) {
          readEveryWay(local, "/sc/token.bin", data, new Random(seed + 2));
        }
        assertTrue(Scrape.value(metrics, OPENS) >= opens0 + 6, "short-circuit again");
      }
    }
  }

  /**
   * A cold block of a mounted UFS file is read through by the worker on this host and then read from its file: the
   * bytes are the UFS's, every block is read from the UFS once and opened once, and none goes over the block RPC.
   */
  @Test
  void aColdUfsFileIsReadThroughThenReadFromTheCachedFiles() throws Exception {
    long seed = System.nanoTime();
    System.out.println("ShortCircuitReadTest seed " + seed);
    byte[] data = new byte[SIZE];
    new Random(seed).nextBytes(data);
    Path ufs = java.nio.file.Files.createDirectories(dir.resolve("ufs"));
    java.nio.file.Files.write(ufs.resolve("cold.bin"), data);
    // Files under a mount are cut into blocks of the master's default size.
    try (LocalCluster cluster = cluster("sluice.master.default.block.size", Integer.toString(BLOCK))) {
      InetSocketAddress metrics = cluster.workerHttp().orElseThrow();
      try (SluiceClient client = cluster.client()) {
        cluster.awaitWorker(client);
        client.mount("/ufs", ufs.toUri(), io.sluice.client.MountOptions.defaults());
        double opens0 = Scrape.value(metrics, OPENS);
        double misses0 = Scrape.value(metrics, "sluice_worker_cache_misses_total");
        double hits0 = Scrape.value(metrics, "sluice_worker_cache_hits_total");
        double ufsBytes0 = Scrape.value(metrics, "sluice_worker_ufs_read_bytes_total");
        double remote0 = Scrape.value(metrics, REMOTE_BYTES);
        try (SluiceInputStream in = client.open("/ufs/cold.bin")) {
          assertArrayEquals(data, in.readAllBytes());
        }
        // Block 0 is a miss; the others were read ahead, so each is a hit or (its load still running) a miss.
        double misses = Scrape.value(metrics, "sluice_worker_cache_misses_total") - misses0;
        assertTrue(misses >= 1, "the first block was cold");
        assertEquals(6, misses + Scrape.value(metrics, "sluice_worker_cache_hits_total") - hits0, "six reads");
        assertEquals(ufsBytes0 + SIZE, Scrape.value(metrics, "sluice_worker_ufs_read_bytes_total"),
            "each block read from the UFS once");
        assertEquals(opens0 + 6, Scrape.value(metrics, OPENS), "each read from its file once cached");
        assertEquals(remote0, Scrape.value(metrics, REMOTE_BYTES), "no byte went over the block RPC");
      }
    }
  }

  /** Starting a cold block has the worker load the next one meanwhile; nothing further is loaded. */
  @Test
  void readingAColdBlockLoadsTheNextOneAhead() throws Exception {
    byte[] data = new byte[SIZE];
    new Random(7).nextBytes(data);
    Path ufs = java.nio.file.Files.createDirectories(dir.resolve("ufs"));
    java.nio.file.Files.write(ufs.resolve("ahead.bin"), data);
    try (LocalCluster cluster = cluster("sluice.master.default.block.size", Integer.toString(BLOCK))) {
      try (SluiceClient client = cluster.client()) {
        cluster.awaitWorker(client);
        client.mount("/ufs", ufs.toUri(), io.sluice.client.MountOptions.defaults());
        try (SluiceInputStream in = client.open("/ufs/ahead.bin")) {
          byte[] first = new byte[100];
          assertEquals(100, in.read(first));
          assertArrayEquals(Arrays.copyOf(data, 100), first);
          // The two loads run side by side and report to the master apart: either may be known cached first.
          LocalCluster.await(() -> cached(client, "/ufs/ahead.bin", 0) && cached(client, "/ufs/ahead.bin", 1),
              Duration.ofSeconds(30), "block 0 read through and block 1 loaded ahead");
          for (int b = 2; b < 6; b++) {
            assertFalse(cached(client, "/ufs/ahead.bin", b), "block " + b + " is not read ahead yet");
          }
          byte[] rest = in.readAllBytes();
          assertArrayEquals(Arrays.copyOfRange(data, 100, SIZE), rest);
        }
      }
    }
  }

  private static boolean cached(SluiceClient client, String path, int block) {
    try {
      return client.getBlockLocations(path).get(block).getCached();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static double gauge(InetSocketAddress metrics, String name) {
    try {
      return Scrape.value(metrics, name);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Reads the file sequentially with odd-sized and single-byte reads, then by positioned reads and seeks that cross
   * block boundaries, comparing each result with the written bytes.
   */
  private static void readEveryWay(SluiceClient client, String path, byte[] data, Random random) throws Exception {
    try (SluiceInputStream in = client.open(path)) {
      byte[] got = new byte[data.length];
      int off = 0;
      while (off < data.length) {
        if (random.nextInt(8) == 0) {
          int b = in.read();
          assertTrue(b >= 0);
          got[off++] = (byte) b;
          continue;
        }
        int n = in.read(got, off, Math.min(data.length - off, 1 + random.nextInt(3 * BLOCK / 2)));
        assertTrue(n > 0);
        off += n;
      }
      assertEquals(-1, in.read());
      assertArrayEquals(data, got, "sequential read");

      for (int i = 0; i < 20; i++) {
        // Around a block boundary, spanning it; the last one runs into the partial last block.
        int boundary = (1 + random.nextInt(5)) * BLOCK;
        int at = boundary - 1 - random.nextInt(64 * 1024);
        int len = Math.min(data.length - at, 1 + random.nextInt(BLOCK + 2));
        byte[] b = new byte[len];
        in.readFully(at, b, 0, len);
        assertArrayEquals(Arrays.copyOfRange(data, at, at + len), b, "positioned read at " + at + " of " + len);
      }
      byte[] tail = new byte[SIZE - 5 * BLOCK + 10];
      in.readFully(5 * BLOCK - 10, tail, 0, tail.length);
      assertArrayEquals(Arrays.copyOfRange(data, 5 * BLOCK - 10, SIZE), tail, "into the partial last block");

      for (int i = 0; i < 20; i++) {
        long target = random.nextInt(data.length);
        in.seek(target);
        int len = (int) Math.min(data.length - target, 1 + random.nextInt(BLOCK));
        byte[] b = new byte[len];
        int done = 0;
        while (done < len) {
          int n = in.read(b, done, len - done);
          assertTrue(n > 0);
          done += n;
        }
        assertArrayEquals(Arrays.copyOfRange(data, (int) target, (int) target + len), b, "seek to " + target);
        assertEquals(target + len, in.getPos());
      }
      // A short forward seek inside the block: the open stream carries on from there.
      in.seek(BLOCK + 10);
      assertEquals(data[BLOCK + 10] & 0xff, in.read());
      in.seek(BLOCK + 5000);
      assertEquals(data[BLOCK + 5000] & 0xff, in.read());
      in.seek(BLOCK + 100);
      assertEquals(data[BLOCK + 100] & 0xff, in.read(), "backwards");
    }
  }
}
