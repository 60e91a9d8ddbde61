package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceInputStream;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.MasterMethod;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spine end to end: a real master (Ratis + RocksDB) and a real worker on loopback, the Java client between
 * them. A 300 MiB file of random bytes over many blocks is written, read back sequentially and by positioned
 * reads, and read again after the master and then the worker restart.
 */
class EndToEndTest {
  private static final int SIZE = 300 << 20;
  private static final long BLOCK = 16L << 20;

  @TempDir
  Path dir;

  @Test
  void writeReadRestartRead() throws Exception {
    long seed = System.nanoTime();
    System.out.println("EndToEndTest seed " + seed);
    byte[] data = new byte[SIZE];
    new Random(seed).nextBytes(data);
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(data);

    try (LocalCluster cluster = new LocalCluster(dir, "sluice.user.block.size", Long.toString(BLOCK))) {
      cluster.startMaster();
      cluster.startWorker();
      try (SluiceClient client = cluster.client()) {
        cluster.awaitWorker(client);
        client.mkdir("/data/in", true);
        try (OutputStream out = client.create("/data/in/big.bin")) {
          // Odd-sized writes, so chunk and block boundaries fall inside write calls.
          Random sizes = new Random(seed);
          for (int off = 0; off < SIZE; ) {
            int n = Math.min(SIZE - off, 1 + sizes.nextInt(3 << 20));
            out.write(data, off, n);
            off += n;
          }
        }
        FileInfo info = client.getStatus("/data/in/big.bin");
        assertEquals(SIZE, info.getLength());
        assertEquals((SIZE + BLOCK - 1) / BLOCK, info.getBlocksCount());
        assertEquals(info.getBlocksCount() - 1, masterCalls(cluster, MasterMethod.ADD_BLOCK_VALUE),
            "the create placed the first block, ADD_BLOCK the others");

        assertArrayEquals(digest, sequentialDigest(client, "/data/in/big.bin"));
        positionedReads(client, "/data/in/big.bin", data, new Random(seed + 1));

        // Namespace operations around it.
        client.create("/data/in/a.txt").close();
        client.mkdir("/data/in/sub", false);
        assertEquals(List.of("a.txt", "big.bin", "sub"), names(client, "/data/in"));
        client.rename("/data/in", "/data/moved");
        assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class,
            () -> client.getStatus("/data/in")).status());
        client.delete("/data/moved/a.txt", false);
        assertEquals(List.of("big.bin", "sub"), names(client, "/data/moved"));
        assertEquals(Status.NOT_EMPTY, assertThrows(RpcException.class,
            () -> client.delete("/data/moved", false)).status());
      }

      // The master restarts: the namespace comes back from RocksDB and the Raft log.
      cluster.stopMaster();
      cluster.startMaster();
      try (SluiceClient client = cluster.client()) {
        assertEquals(List.of("big.bin", "sub"), names(client, "/data/moved"));
        assertEquals(SIZE, client.getStatus("/data/moved/big.bin").getLength());
        cluster.awaitWorker(client);
        awaitReadable(client, "/data/moved/big.bin");
        assertArrayEquals(digest, sequentialDigest(client, "/data/moved/big.bin"));
      }

      // The worker restarts: it finds its blocks on disk and reports them.
      cluster.stopWorker();
      cluster.startWorker();
      try (SluiceClient client = cluster.client()) {
        cluster.awaitWorker(client);
        awaitReadable(client, "/data/moved/big.bin");
        assertArrayEquals(digest, sequentialDigest(client, "/data/moved/big.bin"));
        positionedReads(client, "/data/moved/big.bin", data, new Random(seed + 2));
        client.delete("/data", true);
        assertEquals(List.of(), names(client, "/"));
      }
    }
  }

  private static List<String> names(SluiceClient client, String path) throws IOException {
    List<String> out = new java.util.ArrayList<>();
    for (FileInfo f : client.listStatus(path)) {
      out.add(f.getName());
    }
    return out;
  }

  private static byte[] sequentialDigest(SluiceClient client, String path) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[1 << 20];
    try (InputStream in = client.open(path)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return md.digest();
  }

  private static void positionedReads(SluiceClient client, String path, byte[] data, Random r) throws IOException {
    try (SluiceInputStream in = client.open(path)) {
      for (int i = 0; i < 200; i++) {
        int len = 1 + r.nextInt(i % 10 == 0 ? 40 << 20 : 256 << 10); // some reads span blocks
        int pos = r.nextInt(data.length - len + 1);
        byte[] got = new byte[len];
        in.readFully(pos, got, 0, len);
        assertArrayEquals(java.util.Arrays.copyOfRange(data, pos, pos + len), got, "pread at " + pos);
      }
    }
  }

  /** After a restart, block locations come back with the worker's report; wait until a read works. */
  private static void awaitReadable(SluiceClient client, String path) throws InterruptedException {
    LocalCluster.await(() -> {
      try (InputStream in = client.open(path)) {
        return in.read() >= 0;
      } catch (IOException e) {
        return false;
      }
    }, Duration.ofSeconds(60), path + " readable");
  }

  /** Calls of {@code method} the master answered OK, from its /metrics. */
  private static double masterCalls(LocalCluster cluster, int method) throws Exception {
    return io.sluice.common.metrics.Scrape.of(cluster.masterHttp().orElseThrow()).value(
        "sluice_rpc_server_calls_total", "server", "master", "method", Integer.toString(method), "status", "OK")
        .orElse(0.0);
  }
}
