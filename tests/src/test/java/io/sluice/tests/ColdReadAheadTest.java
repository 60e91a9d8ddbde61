package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.sluice.client.MountOptions;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceInputStream;
import io.sluice.tests.faults.FaultProxy;
import io.sluice.tests.faults.S3Server;
import io.sluice.ufs.UfsOutputStream;
import io.sluice.ufs.UfsPath;
import io.sluice.ufs.UfsRegistry;
import io.sluice.ufs.UnderFileSystem;
import io.sluice.worker.block.TierStats;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sequential reader of a cold S3 file on a worker's host has the worker load the next block while the first one
 * is still loading, not once it has been loaded: the worker reaches S3 (S3Proxy, its own process) through a
 * {@link FaultProxy} that is partitioned right after the file was opened, so every load started hangs on its GET,
 * and the loads running are seen by the temp blocks they reserved.
 */
class ColdReadAheadTest {
  private static final int BLOCK = 1 << 20;

  @TempDir
  Path dir;

  @Test
  void theNextBlockIsLoadedWhileTheFirstStillIs() throws Exception {
    byte[] data = new byte[3 * BLOCK + 1000];
    new Random(11).nextBytes(data);
    ExecutorService reader = Executors.newSingleThreadExecutor();
    try (S3Server s3 = S3Server.start(Files.createDirectories(dir.resolve("s3")), LocalCluster.freePort());
        FaultProxy proxy = FaultProxy.start(new InetSocketAddress("127.0.0.1", s3.port()));
        // The short-circuit open of block 0 waits for its load longer than this test does: it must not give up
        // and read remotely, which would let the read-ahead start however late it was asked.
        LocalCluster c = new LocalCluster(dir.resolve("cluster"), "sluice.master.default.block.size",
            Integer.toString(BLOCK), "sluice.worker.short.circuit.load.wait", "5m", "sluice.worker.http.port", "0",
            "sluice.master.http.port", "0")) {
      s3.bucket("lake");
      // Written through S3, not as a file of its store: only then has the object an ETag, hence a fingerprint, and
      // its blocks are read through rather than taken for Sluice's own.
      try (UnderFileSystem ufs = UfsRegistry.load().create(URI.create("s3://lake/data"), S3Server.options(s3.port()));
          UfsOutputStream out = ufs.create(UfsPath.parse("cold.bin"), false)) {
        out.write(data);
      }
      c.startMaster();
      c.startWorker();
      try (SluiceClient client = c.client()) {
        c.awaitWorker(client);
        client.mount("/lake", URI.create("s3://lake/data"),
            MountOptions.defaults().withOptions(S3Server.options(proxy.port())));
        try (SluiceInputStream in = client.open("/lake/cold.bin")) {  // its metadata comes while S3 answers
          proxy.partition();
          Future<byte[]> read = reader.submit(in::readAllBytes);
          AtomicLong seen = new AtomicLong();
          try {
            LocalCluster.await(() -> {
              seen.set(reserved(c));
              return seen.get() == 2L * BLOCK;
            }, Duration.ofSeconds(30), "blocks 0 and 1 loading at once");
          } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; bytes reserved: " + seen.get(), e);
          }
          proxy.heal();
          assertArrayEquals(data, read.get(60, TimeUnit.SECONDS));
        }
      }
    } finally {
      reader.shutdownNow();
    }
  }

  /** Bytes the worker reserved for blocks being written: here, one block per load running. */
  private static long reserved(LocalCluster c) {
    return c.worker(0).blockStore().tierStats().stream().mapToLong(TierStats::reserved).sum();
  }
}
