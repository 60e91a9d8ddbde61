package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.MountOptions;
import io.sluice.client.SluiceClient;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4 end to end, on a real master and a worker whose one tier holds 4 blocks: Sluice-native files are never
 * evicted (a full worker refuses the next write with NO_SPACE and loses nothing, also across a worker restart,
 * which drops its in-memory pins until the master sends them again), and under a local-dir mount a pinned file
 * stays cached while more than the tier holds is read through, until it is unpinned.
 */
class PinTest {
  private static final int BLOCK = 1 << 20;
  private static final String PINNED = "sluice_worker_blocks_pinned";

  @TempDir
  Path dir;

  private LocalCluster cluster() throws IOException {
    return new LocalCluster(dir.resolve("cluster"), "sluice.user.block.size", Integer.toString(BLOCK),
        "sluice.master.default.block.size", Integer.toString(BLOCK),
        "sluice.worker.tiers", "HDD:" + dir.resolve("worker") + ":" + 4 * BLOCK,
        "sluice.worker.http.port", "0", "sluice.user.short.circuit.enabled", "false");
  }

  private static byte[] data(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static void write(SluiceClient client, String path, byte[] data) throws IOException {
    try (OutputStream out = client.create(path)) {
      out.write(data);
    }
  }

  private static byte[] read(SluiceClient client, String path) throws IOException {
    try (InputStream in = client.open(path)) {
      return in.readAllBytes();
    }
  }

  private static double pinnedBlocks(LocalCluster c) {
    try {
      return Scrape.value(c.workerHttp().orElseThrow(), PINNED);
    } catch (IOException | RuntimeException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static boolean cached(SluiceClient client, String path) {
    try {
      return client.getBlockLocations(path).stream().allMatch(b -> b.getCached());
    } catch (IOException e) {
      return false;
    }
  }

  private static void awaitPinned(LocalCluster c, int n) throws InterruptedException {
    LocalCluster.await(() -> pinnedBlocks(c) == n, Duration.ofSeconds(30), n + " pinned blocks on the worker");
  }

  @Test
  void aWorkerFullOfNativeBlocksRefusesTheNextWriteAndLosesNothing() throws Exception {
    try (LocalCluster c = cluster()) {
      c.startMaster();
      c.startWorker();
      try (SluiceClient client = c.client()) {
        c.awaitWorker(client);
        byte[][] files = new byte[4][];
        for (int i = 0; i < files.length; i++) {
          files[i] = data(BLOCK, i);
          write(client, "/f" + i, files[i]);
        }
        assertEquals(4, pinnedBlocks(c), "each block pinned as it was committed");
        RpcException full = assertThrows(RpcException.class, () -> write(client, "/f4", data(BLOCK, 4)));
        assertEquals(Status.NO_SPACE, full.status(), full.getMessage());
        assertTrue(full.getMessage().contains("no space left on the worker"), full.getMessage());
        assertTrue(full.getMessage().contains("4 blocks pinned"), full.getMessage());
        for (int i = 0; i < files.length; i++) {
          assertArrayEquals(files[i], read(client, "/f" + i), "/f" + i + " after the refused write");
        }

        // Pins are the worker's memory only: restarted, it has none until it registers and the master pins again.
        c.stopWorker();
        c.startWorker();
        awaitPinned(c, 4);
        full = assertThrows(RpcException.class, () -> write(client, "/f5", data(BLOCK, 5)));
        assertEquals(Status.NO_SPACE, full.status(), full.getMessage());
        for (int i = 0; i < files.length; i++) {
          assertArrayEquals(files[i], read(client, "/f" + i), "/f" + i + " after the worker's restart");
        }
      }
    }
  }

  @Test
  void aPinnedFileUnderAMountStaysCachedUntilUnpinned() throws Exception {
    Path ufs = Files.createDirectories(dir.resolve("ufs"));
    byte[] hot = data(2 * BLOCK, 10);
    Files.write(ufs.resolve("hot.bin"), hot);
    byte[][] cold = new byte[6][];
    for (int i = 0; i < cold.length; i++) {
      cold[i] = data(BLOCK, 20 + i);
      Files.write(ufs.resolve("cold" + i + ".bin"), cold[i]);
    }
    try (LocalCluster c = cluster()) {
      c.startMaster();
      c.startWorker();
      try (SluiceClient client = c.client()) {
        c.awaitWorker(client);
        client.mount("/data", ufs.toUri(), MountOptions.defaults());
        assertTrue(client.setPinned("/data/hot.bin", true).getPinned());
        assertArrayEquals(hot, read(client, "/data/hot.bin"));
        awaitPinned(c, 2); // read through, cached, reported: the master pins both blocks
        assertTrue(cached(client, "/data/hot.bin"));

        for (int i = 0; i < cold.length; i++) { // 6 blocks through a tier of 4 with 2 pinned
          assertArrayEquals(cold[i], read(client, "/data/cold" + i + ".bin"));
          final int n = i;
          LocalCluster.await(() -> cached(client, "/data/cold" + n + ".bin"), Duration.ofSeconds(30),
              "cold" + i + " cached");
        }
        assertFalse(cached(client, "/data/cold0.bin"), "an unpinned file was evicted");
        assertArrayEquals(cold[0], read(client, "/data/cold0.bin"), "and is read through from the UFS again");
        assertTrue(cached(client, "/data/hot.bin"), "the pinned file stayed cached");
        assertEquals(2, pinnedBlocks(c));

        client.setPinned("/data/hot.bin", false);
        awaitPinned(c, 0);
        for (int i = 1; i < 5; i++) { // 4 more blocks: as many as the tier holds
          assertArrayEquals(cold[i], read(client, "/data/cold" + i + ".bin"));
          final int n = i;
          LocalCluster.await(() -> cached(client, "/data/cold" + n + ".bin"), Duration.ofSeconds(30),
              "cold" + i + " cached again");
        }
        assertFalse(cached(client, "/data/hot.bin"), "unpinned, it is evictable again");
        assertArrayEquals(hot, read(client, "/data/hot.bin"), "read back from the UFS");
      }
    }
  }
}
