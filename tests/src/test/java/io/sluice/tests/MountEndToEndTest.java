package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.Mount;
import io.sluice.client.MountOptions;
import io.sluice.client.SluiceClient;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FreeResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.ufs.UfsOutputStream;
import io.sluice.ufs.UfsPath;
import io.sluice.ufs.UfsRegistry;
import io.sluice.ufs.UnderFileSystem;
import io.sluice.ufs.s3.S3ProxyProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's end-to-end story on a real master and worker: mount a UFS (a local directory, and a real S3 server
 * process), list and read through the cache, see the second read served by the worker, see changes made behind
 * Sluice's back (the S3 mount checks the UFS on every access; the interval itself is tested on a fake clock in
 * MountSyncTest), keep reading cached data while the UFS is down, fall through to the UFS
 * while no worker is up.
 */
class MountEndToEndTest {
  static final int BLOCK = 1 << 20;
  static final String HITS = "sluice_worker_cache_hits_total";
  static final String MISSES = "sluice_worker_cache_misses_total";
  static final String UFS_READ = "sluice_worker_ufs_read_bytes_total";

  @TempDir
  Path dir;

  LocalCluster cluster() throws IOException {
    return new LocalCluster(dir.resolve("cluster"), "sluice.master.default.block.size", Integer.toString(BLOCK),
        "sluice.worker.http.port", "0", "sluice.master.http.port", "0");
  }

  static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static byte[] read(SluiceClient client, String path) throws IOException {
    try (InputStream in = client.open(path)) {
      return in.readAllBytes();
    }
  }

  static void put(UnderFileSystem ufs, String path, byte[] data) throws IOException {
    try (UfsOutputStream out = ufs.create(UfsPath.parse(path), true)) {
      out.write(data);
    }
  }

  @Test
  void anS3BucketIsReadThroughTheCacheAndStaysReadableWhenS3Dies() throws Exception {
    Path s3dir = Files.createDirectories(dir.resolve("s3"));
    S3ProxyProcess s3 = S3ProxyProcess.start(s3dir);
    try (LocalCluster c = cluster();
        UnderFileSystem bucket = connectBucket(s3)) {
      byte[] v1 = randomBytes(2 * BLOCK + 12345, 1);
      put(bucket, "tables/part-0.bin", v1);
      put(bucket, "tables/part-1.bin", randomBytes(100, 2));
      c.startMaster();
      c.startWorker();
      try (SluiceClient client = c.client()) {
        c.awaitWorker(client);
        Mount m = client.mount("/lake", URI.create("s3://lake/warehouse"), MountOptions.defaults()
            .withOptions(s3.options()).withSyncInterval(Duration.ZERO));
        assertEquals("/lake", m.path());
        assertEquals(List.of("/lake"), client.mounts().stream().map(Mount::path).toList());
        assertEquals(List.of("part-0.bin", "part-1.bin"),
            client.listStatusAll("/lake/tables").stream().map(FileInfo::getName).toList());

        InetSocketAddress metrics = c.workerHttp().orElseThrow();
        double hits0 = Scrape.value(metrics, HITS);
        double ufs0 = Scrape.value(metrics, UFS_READ);
        assertArrayEquals(v1, read(client, "/lake/tables/part-0.bin"), "cold read, through the worker");
        double misses1 = Scrape.value(metrics, MISSES);
        double hits1 = Scrape.value(metrics, HITS);
        // Block 0 is a miss; blocks 1 and 2 were read ahead, so each is a hit or (its load still running) a miss.
        assertTrue(misses1 >= 1, "the first block was cold");
        assertEquals(3, misses1 + hits1 - hits0, "three block reads");
        assertEquals(ufs0 + v1.length, Scrape.value(metrics, UFS_READ), "each of the 3 blocks was read through once");
        LocalCluster.await(() -> allCached(client, "/lake/tables/part-0.bin"), Duration.ofSeconds(30),
            "the worker to report the blocks it cached");
        assertArrayEquals(v1, read(client, "/lake/tables/part-0.bin"), "warm read");
        assertEquals(misses1, Scrape.value(metrics, MISSES), "no UFS read the second time");
        assertEquals(hits1 + 3, Scrape.value(metrics, HITS), "every block served from the cache");

        FreeResponse freed = client.free("/lake");
        assertEquals(4, freed.getBlocks(), "3 of part-0, 1 of part-1");
        assertEquals(2, freed.getFiles());
        assertFalse(allCached(client, "/lake/tables/part-0.bin"), "freed: no worker holds it");
        LocalCluster.await(() -> blocksHeld(metrics) == 0, Duration.ofSeconds(30),
            "the worker to drop the freed blocks (next heartbeat)");
        assertArrayEquals(v1, read(client, "/lake/tables/part-0.bin"), "read through again after free");
        assertTrue(Scrape.value(metrics, MISSES) > misses1, "cold again");
        assertEquals(ufs0 + 2.0 * v1.length, Scrape.value(metrics, UFS_READ), "each block read through once more");

        byte[] v2 = randomBytes(BLOCK + 7, 3);
        put(bucket, "tables/part-0.bin", v2);
        bucket.delete(UfsPath.parse("tables/part-1.bin"), false);
        // Interval 0: the next access checks the UFS (the interval itself is MountSyncTest's, on a fake clock).
        assertArrayEquals(v2, read(client, "/lake/tables/part-0.bin"), "the new bytes");
        assertEquals(List.of("part-0.bin"),
            client.listStatusAll("/lake/tables").stream().map(FileInfo::getName).toList());
        LocalCluster.await(() -> allCached(client, "/lake/tables/part-0.bin"), Duration.ofSeconds(30),
            "the worker to report the new blocks");

        // A file written under the mount goes through to the bucket on close, and is cached as it is written.
        byte[] v3 = randomBytes(BLOCK + 4321, 5);
        try (java.io.OutputStream out = client.create("/lake/tables/part-2.bin")) {
          out.write(v3);
        }
        try (InputStream in = bucket.open(UfsPath.parse("tables/part-2.bin"), 0, -1)) {
          assertArrayEquals(v3, in.readAllBytes(), "the object is in the bucket");
        }
        assertEquals(m.id(), client.getStatus("/lake/tables/part-2.bin").getMountId());
        double missesBefore = Scrape.value(metrics, MISSES);
        assertArrayEquals(v3, read(client, "/lake/tables/part-2.bin"));
        assertEquals(missesBefore, Scrape.value(metrics, MISSES), "served from the blocks written, no UFS read");

        s3.close();
        RpcException writeDown = assertThrows(RpcException.class, () -> {
          try (java.io.OutputStream out = client.create("/lake/tables/part-3.bin")) {
            out.write(v3);
          }
        });
        assertEquals(Status.UFS_ERROR, writeDown.status(), writeDown.getMessage());
        assertArrayEquals(v2, read(client, "/lake/tables/part-0.bin"), "cached data while S3 is down");
        RpcException unknown = assertThrows(RpcException.class, () -> client.getStatus("/lake/tables/new.bin"));
        assertEquals(Status.UFS_ERROR, unknown.status(), unknown.getMessage());
        RpcException mkdir = assertThrows(RpcException.class, () -> client.mkdir("/lake/tables/more", false));
        assertEquals(Status.UFS_ERROR, mkdir.status(), "the UFS first: " + mkdir.getMessage());
        assertEquals(List.of("part-0.bin", "part-2.bin"),
            client.listStatusAll("/lake/tables").stream().map(FileInfo::getName).toList(),
            "failed UFS changes (part-3.bin, more/) leave the namespace as it was");
      }
    } finally {
      s3.close();
    }
  }

  @Test
  void aLocalDirectoryMountFallsThroughWithoutWorkersAndTakesDirectoryChangesFirstToTheUfs() throws Exception {
    Path ufs = Files.createDirectories(dir.resolve("ufs/sub"));
    byte[] data = randomBytes(BLOCK + 99, 4);
    Files.write(ufs.resolve("f.bin"), data);
    Files.writeString(ufs.resolve("keep.txt"), "kept");
    try (LocalCluster c = cluster()) {
      c.startMaster();
      try (SluiceClient client = c.client()) {
        client.mount("/local", dir.resolve("ufs").toUri(), MountOptions.defaults());
        assertArrayEquals(data, read(client, "/local/sub/f.bin"), "no worker: the client reads the UFS itself");
        // Directory changes go to the UFS first, then the namespace.
        client.mkdir("/local/sub/new/deeper", true);
        assertTrue(Files.isDirectory(ufs.resolve("new/deeper")));
        assertEquals(client.getStatus("/local").getMountId(), client.getStatus("/local/sub/new/deeper").getMountId(),
            "a directory made under a mount is UFS-backed");
        client.rename("/local/sub/f.bin", "/local/sub/new/g.bin");
        assertTrue(Files.exists(ufs.resolve("new/g.bin")));
        assertFalse(Files.exists(ufs.resolve("f.bin")));
        assertArrayEquals(data, read(client, "/local/sub/new/g.bin"), "a renamed file reads from its new UFS path");
        client.delete("/local/sub/new", true);
        assertFalse(Files.exists(ufs.resolve("new")));
        assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class,
            () -> client.getStatus("/local/sub/new")).status());
        RpcException link = assertThrows(RpcException.class, () -> client.createSymlink("/local/sub/l", "x"));
        assertEquals(Status.INVALID_ARGUMENT, link.status(), "no symlinks in a UFS");
        client.mkdir("/native", false);
        RpcException across = assertThrows(RpcException.class, () -> client.rename("/native", "/local/native"));
        assertEquals(Status.INVALID_ARGUMENT, across.status(), "no rename into a mount (EXDEV)");
        RpcException mountPoint = assertThrows(RpcException.class, () -> client.delete("/local", true));
        assertEquals(Status.INVALID_ARGUMENT, mountPoint.status());

        Path roDir = Files.createDirectories(dir.resolve("ro"));
        client.mount("/ro", roDir.toUri(), MountOptions.defaults().withReadOnly(true));
        RpcException readOnly = assertThrows(RpcException.class, () -> client.mkdir("/ro/d", false));
        assertEquals(Status.PERMISSION_DENIED, readOnly.status());
        assertFalse(Files.exists(roDir.resolve("d")));
        client.unmount("/ro");
        client.unmount("/local");
        assertTrue(client.mounts().isEmpty());
        assertEquals("kept", Files.readString(ufs.resolve("keep.txt")), "unmount leaves the UFS alone");
      }
    }
  }

  /** Blocks the worker holds, from its /metrics. */
  static double blocksHeld(InetSocketAddress metrics) {
    try {
      return Scrape.value(metrics, "sluice_worker_tier_blocks");
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Whether the master knows a worker holding every block of {@code path}. */
  static boolean allCached(SluiceClient client, String path) {
    try {
      return client.getBlockLocations(path).stream().allMatch(b -> b.getCached());
    } catch (IOException e) {
      return false;
    }
  }

  static UnderFileSystem connectBucket(S3ProxyProcess s3) throws IOException {
    s3.createBucket("lake");
    return UfsRegistry.load().create(URI.create("s3://lake/warehouse"), s3.options());
  }
}
