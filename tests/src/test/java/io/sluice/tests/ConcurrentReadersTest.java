package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.client.ClientKeys;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceInputStream;
import io.sluice.common.checksum.ChunkChecksums;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sixteen readers of one cached file at once (issue 4) on a real master and worker: half short-circuit, half over
 * the block RPC, each reading the whole file through its own stream, sequentially or by positioned reads, all
 * released together. Every one gets the written bytes, and the worker is left holding no lease.
 */
class ConcurrentReadersTest {
  private static final int BLOCK = 1 << 20;
  private static final int SIZE = 6 * BLOCK + 54_321;
  private static final int READERS = 16;

  @TempDir
  Path dir;

  @Test
  void sixteenReadersOfOneFileAllGetItsBytes() throws Exception {
    byte[] data = new byte[SIZE];
    new Random(21).nextBytes(data);
    CRC32C want = new CRC32C();
    want.update(data);
    try (LocalCluster cluster = new LocalCluster(dir, "sluice.user.block.size", Integer.toString(BLOCK),
        "sluice.worker.http.port", "0", "sluice.master.http.port", "0")) {
      cluster.startMaster();
      cluster.startWorker();
      try (SluiceClient local = cluster.client(); SluiceClient remote = SluiceClient.connect(cluster.conf()
          .with(ClientKeys.SHORT_CIRCUIT_ENABLED, "false"))) {
        cluster.awaitWorker(local);
        try (OutputStream out = local.create("/shared.bin")) {
          out.write(data);
        }
        ExecutorService pool = Executors.newFixedThreadPool(READERS);
        CountDownLatch go = new CountDownLatch(1);
        try {
          List<Future<Long>> sums = new ArrayList<>();
          for (int i = 0; i < READERS; i++) {
            SluiceClient client = i % 2 == 0 ? local : remote;
            boolean positioned = i % 4 >= 2;
            sums.add(pool.submit(() -> {
              go.await();
              return positioned ? readPositioned(client) : readSequentially(client);
            }));
          }
          go.countDown();
          for (int i = 0; i < READERS; i++) {
            assertEquals(want.getValue(), sums.get(i).get(120, TimeUnit.SECONDS), "reader " + i);
          }
        } finally {
          pool.shutdownNow();
        }
      }
      // Closing the streams ended their leases; the CLOSE calls are not waited for, so poll the worker.
      InetSocketAddress http = cluster.workerHttp().orElseThrow();
      LocalCluster.await(() -> {
        try {
          return Scrape.value(http, "sluice_worker_short_circuit_leases") == 0;
        } catch (Exception e) {
          return false;
        }
      }, Duration.ofSeconds(30), "every lease released");
    }
  }

  private static long readSequentially(SluiceClient client) throws Exception {
    CRC32C got = new CRC32C();
    // Not a chunk multiple: reads cross chunk and block boundaries.
    byte[] buf = new byte[4 * ChunkChecksums.CHUNK + 17];
    try (SluiceInputStream in = client.open("/shared.bin")) {
      for (int n; (n = in.read(buf)) > 0; ) {
        got.update(buf, 0, n);
      }
    }
    return got.getValue();
  }

  /** The file in 100,000-byte positioned reads, in order, on one stream. */
  private static long readPositioned(SluiceClient client) throws Exception {
    CRC32C got = new CRC32C();
    byte[] buf = new byte[100_000];
    try (SluiceInputStream in = client.open("/shared.bin")) {
      for (long at = 0; at < SIZE; ) {
        int n = (int) Math.min(buf.length, SIZE - at);
        in.readFully(at, buf, 0, n);
        got.update(buf, 0, n);
        at += n;
      }
    }
    return got.getValue();
  }
}
