package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.MountOptions;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceInputStream;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker directory whose disk really fills (a 16 MiB tmpfs declared as 1 GiB, the operator's mistake the worker
 * must survive): the write that hits ENOSPC fails cleanly (an error naming the lack of space, the file never
 * complete), the directory is taken out of service, and the worker keeps serving: its other directory takes new
 * blocks, and a UFS-backed file whose cached blocks were on the full disk is read through again.
 */
class DiskFullTest {
  private static final int BLOCK = 4 << 20;

  @TempDir
  Path dir;

  private Path small;

  @BeforeEach
  void mountSmallDisk() throws Exception {
    small = Files.createDirectories(dir.resolve("small"));
    run("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", small.toString());
  }

  @AfterEach
  void unmountSmallDisk() throws Exception {
    run("umount", small.toString());
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0,
        String.join(" ", cmd) + " failed (this test needs root to mount a small tmpfs): " + out);
  }

  private static String tree(Path d) throws IOException {
    try (var files = Files.walk(d)) {
      return files.map(Path::toString).toList().toString();
    }
  }

  private static long count(Path d) throws IOException {
    try (var files = Files.list(d)) {
      return files.count();
    }
  }

  private static byte[] data(int length, long seed) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void aFullDiskFailsTheWriteCleanlyAndTheWorkerKeepsServing() throws Exception {
    Path big = Files.createDirectories(dir.resolve("big"));
    Path ufs = Files.createDirectories(dir.resolve("ufs"));
    byte[] cold = data(2 * BLOCK, 1);
    Files.write(ufs.resolve("a.bin"), cold);
    // The directory with the most declared room gets new blocks: the small disk, declared 1 GiB.
    try (LocalCluster c = new LocalCluster(dir, "sluice.user.block.size", Integer.toString(BLOCK),
        "sluice.worker.tiers", "HDD:" + small + ":1g;" + big + ":64m", "sluice.user.short.circuit.enabled", "false")) {
      c.startMaster();
      c.startWorker();
      try (SluiceClient client = c.client()) {
        c.awaitWorker(client);
        client.mount("/data", ufs.toUri(), MountOptions.defaults());
        try (SluiceInputStream in = client.open("/data/a.bin")) {
          assertArrayEquals(cold, in.readAllBytes());
        }
        // Read-through caches as it streams; the commit may land just after the reader's last byte.
        LocalCluster.await(() -> {
          try {
            return count(small.resolve("blocks")) >= 1;
          } catch (IOException e) {
            return false;
          }
        }, java.time.Duration.ofSeconds(30), "a.bin cached on the small disk " + tree(small));

        byte[] big1 = data(4 * BLOCK, 2); // more than the 8 MiB left on the small disk
        IOException full = assertThrows(IOException.class, () -> {
          try (OutputStream out = client.create("/b.bin")) {
            out.write(big1);
          }
        });
        assertTrue(String.valueOf(full.getMessage()).toLowerCase().contains("space"), full.toString());
        boolean visible;
        try {
          FileInfo b = client.getStatus("/b.bin");
          visible = b.getComplete();
        } catch (RpcException e) {
          visible = false;
        }
        assertFalse(visible, "no complete /b.bin after the failed write");

        // The worker goes on: a new file lands in the other directory, and a.bin is read through again.
        byte[] next = data(BLOCK + 5, 3);
        try (OutputStream out = client.create("/c.bin")) {
          out.write(next);
        }
        try (SluiceInputStream in = client.open("/c.bin")) {
          assertArrayEquals(next, in.readAllBytes());
        }
        assertTrue(count(big.resolve("blocks")) >= 2, "c.bin's blocks in the healthy directory");
        try (SluiceInputStream in = client.open("/data/a.bin")) {
          assertArrayEquals(cold, in.readAllBytes(), "read through again after its cache was lost");
        }
        assertEquals(1, c.worker(0).blockStore().tierStats().get(0).failedDirs(),
            "the full directory is out of service");
      }
    }
  }
}
