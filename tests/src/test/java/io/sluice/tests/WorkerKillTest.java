package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.CreateOptions;
import io.sluice.client.MountOptions;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceInputStream;
import io.sluice.common.conf.CommonKeys;
import io.sluice.common.proto.BlockInfo;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker killed (SIGKILL, a separate process) while a client reads from it: the reader goes on from another
 * replica, or for a UFS-backed file from the UFS, and gets every byte right without an error. Reads go over the
 * RPC (short-circuit off), so the killed worker is really the one serving them.
 */
class WorkerKillTest {
  private static final int BLOCK = 4 << 20;

  @TempDir
  Path dir;

  private static byte[] data(int length, long seed) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }

  private LocalCluster master() throws Exception {
    // Its in-JVM worker is never started: the workers here are processes, to be killed.
    LocalCluster c = new LocalCluster(dir, "sluice.user.block.size", Integer.toString(BLOCK),
        "sluice.user.short.circuit.enabled", "false", "sluice.user.read.window", "2");
    c.startMaster();
    return c;
  }

  private static String masters(LocalCluster c) {
    return c.conf().get(CommonKeys.MASTER_ADDRESSES);
  }

  private static long readBytes(WorkerProcess w) throws Exception {
    return (long) Scrape.value(w.http(), "sluice_worker_data_read_bytes_total");
  }

  private static void awaitLiveWorkers(SluiceClient client, int n) throws InterruptedException {
    LocalCluster.await(() -> {
      try {
        return client.clusterInfo().getWorkersList().stream().filter(w -> w.getLive()).count() == n;
      } catch (Exception e) {
        return false;
      }
    }, Duration.ofSeconds(60), n + " live workers");
  }

  /** Reads {@code first} bytes, runs {@code fault}, reads the rest; returns all of it. */
  private static byte[] readAcross(SluiceInputStream in, int length, int first, Fault fault) throws Exception {
    byte[] got = new byte[length];
    int done = 0;
    while (done < first) {
      done += in.read(got, done, first - done);
    }
    fault.run();
    while (done < length) {
      int n = in.read(got, done, length - done);
      assertTrue(n > 0, "the read ended early at " + done);
      done += n;
    }
    return got;
  }

  private interface Fault {
    void run() throws Exception;
  }

  @Test
  void aReaderGoesOnFromTheOtherReplicaWhenItsWorkerIsKilled() throws Exception {
    try (LocalCluster c = master(); SluiceClient client = c.client();
        WorkerProcess a = WorkerProcess.start(dir, "a", masters(c));
        WorkerProcess b = WorkerProcess.start(dir, "b", masters(c))) {
      awaitLiveWorkers(client, 2);
      byte[] data = data(6 * BLOCK, 3);
      try (OutputStream out = client.create("/two.bin", CreateOptions.defaults().withReplicas(2))) {
        out.write(data);
      }
      for (BlockInfo blk : client.getBlockLocations("/two.bin")) {
        assertEquals(2, blk.getLocationsCount(), "both replicas of block " + blk.getBlockId());
      }
      WorkerProcess[] survivor = new WorkerProcess[1];
      long[] survivorBefore = new long[1];
      try (SluiceInputStream in = client.open("/two.bin")) {
        byte[] got = readAcross(in, data.length, BLOCK + BLOCK / 2, () -> {
          // Kill the worker that has been serving this reader (the one that sent the bytes so far).
          boolean aServes = readBytes(a) >= readBytes(b);
          assertTrue(readBytes(aServes ? a : b) >= BLOCK, "the reader was served by one worker");
          survivor[0] = aServes ? b : a;
          survivorBefore[0] = readBytes(survivor[0]);
          (aServes ? a : b).kill();
        });
        assertArrayEquals(data, got);
      }
      assertTrue(readBytes(survivor[0]) - survivorBefore[0] >= 3 * BLOCK,
          "the rest came from the other replica: " + (readBytes(survivor[0]) - survivorBefore[0]) + " bytes");
    }
  }

  @Test
  void aReaderOfAUfsFileGoesOnFromTheUfsWhenTheOnlyWorkerIsKilled() throws Exception {
    Path ufs = Files.createDirectories(dir.resolve("ufs"));
    byte[] data = data(5 * BLOCK + 777, 4);
    Files.write(ufs.resolve("cold.bin"), data);
    try (LocalCluster c = master(); SluiceClient client = c.client();
        WorkerProcess w = WorkerProcess.start(dir, "w", masters(c))) {
      awaitLiveWorkers(client, 1);
      client.mount("/data", ufs.toUri(), MountOptions.defaults());
      try (SluiceInputStream in = client.open("/data/cold.bin")) {
        assertArrayEquals(data, in.readAllBytes(), "read through once: now cached on the worker");
      }
      try (SluiceInputStream in = client.open("/data/cold.bin")) {
        byte[] got = readAcross(in, data.length, 2 * BLOCK + 100, w::kill);
        assertArrayEquals(data, got);
      }
    }
  }
}
