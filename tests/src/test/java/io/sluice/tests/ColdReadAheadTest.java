package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.MountOptions;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceInputStream;
import io.sluice.client.block.ShortCircuit;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.testing.FreePort;
import io.sluice.tests.faults.FaultProxy;
import io.sluice.tests.faults.S3Server;
import io.sluice.ufs.UfsOutputStream;
import io.sluice.ufs.UfsPath;
import io.sluice.ufs.UfsRegistry;
import io.sluice.ufs.UnderFileSystem;
import io.sluice.worker.block.TierStats;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sequential reader of a cold S3 file on a worker's host: the worker loads the next block while the first one is
 * still loading, not once it has been loaded, and the reader gets a block's first bytes while it still loads. The
 * worker reaches S3 (S3Proxy, its own process) through a {@link FaultProxy} that is partitioned once the file was
 * opened (or once a marker went through it), so every load started hangs on its GET; the loads running are seen by
 * the temp blocks they reserved.
 */
class ColdReadAheadTest {
  private static final int BLOCK = 1 << 20;
  /** Where the proxy cuts S3 off; 28 bytes that random data practically never holds. */
  private static final String MARKER = "<<sluice-marker-in-block-0>>";

  @TempDir
  Path dir;

  private final ExecutorService reader = Executors.newSingleThreadExecutor();

  @AfterEach
  void stopReader() {
    reader.shutdownNow();
  }

  /** A test's view of the cluster and of the S3 path between the worker and the server. */
  private interface Scenario {
    void run(LocalCluster c, FaultProxy proxy, SluiceClient client) throws Exception;
  }

  /** Writes {@code data} as s3://lake/data/cold.bin, mounts it at /lake through the proxy, runs {@code test}. */
  private void withColdFile(byte[] data, Scenario test) throws Exception {
    try (S3Server s3 = S3Server.start(Files.createDirectories(dir.resolve("s3")), FreePort.pick());
        FaultProxy proxy = FaultProxy.start(new InetSocketAddress("127.0.0.1", s3.port()));
        // A short-circuit open that waits for its load (a read-ahead's) waits longer than this test does: it must not
        // give up and read remotely, which would let the read-ahead start however late it was asked.
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
        test.run(c, proxy, client);
      }
    }
  }

  @Test
  void theNextBlockIsLoadedWhileTheFirstStillIs() throws Exception {
    byte[] data = new byte[3 * BLOCK + 1000];
    new Random(11).nextBytes(data);
    withColdFile(data, (c, proxy, client) -> {
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
    });
  }

  /**
   * The first bytes of a cold block reach the reader while its load still runs (a short-circuit lease on the file
   * being filled): S3 stops sending after the chunk holding a marker a quarter into the block, and the bytes before
   * it are read all the same. Waiting for the whole load instead, the read would hang until the partition heals.
   */
  @Test
  void theFirstBytesOfAColdBlockAreReadWhileItStillLoads() throws Exception {
    byte[] data = markedFile(12);
    withColdFile(data, (c, proxy, client) -> {
      long follows0 = ShortCircuit.follows();
      try (SluiceInputStream in = client.open("/lake/cold.bin")) {
        byte[] head = readHeadPastPartition(proxy, in, data);
        assertTrue(reserved(c) >= BLOCK, "block 0 is still loading");
        assertEquals(follows0 + 1, ShortCircuit.follows(), "block 0 was read as it loaded");
        proxy.heal();
        assertArrayEquals(Arrays.copyOfRange(data, head.length, data.length),
            reader.submit(in::readAllBytes).get(60, TimeUnit.SECONDS));
      }
    });
  }

  /**
   * A cold block's load that fails halfway while it is being followed (S3's connections reset after a marker a
   * quarter into the block): the reader has the bytes before the failure, right, and then a clear error naming the
   * block, never bytes from elsewhere and never a short file; the worker keeps nothing of the load, and a reader
   * opening the file again once S3 answers reads it whole.
   */
  @Test
  void aLoadThatFailsWhileFollowedEndsTheReadWithTheUfsError() throws Exception {
    byte[] data = markedFile(13);
    withColdFile(data, (c, proxy, client) -> {
      try (SluiceInputStream in = client.open("/lake/cold.bin")) {
        readHeadPastPartition(proxy, in, data);
        proxy.cutAll();
        proxy.heal();
        ExecutionException e = assertThrows(ExecutionException.class,
            () -> reader.submit(in::readAllBytes).get(60, TimeUnit.SECONDS));
        RpcException failure = assertInstanceOf(RpcException.class, e.getCause(), e.toString());
        assertEquals(Status.UFS_ERROR, failure.status(), failure.toString());
        assertTrue(failure.getMessage().contains("/lake/cold.bin"), failure.getMessage());
      }
      LocalCluster.await(() -> reserved(c) == 0, Duration.ofSeconds(30), "the failed loads' space released");
      try (SluiceInputStream again = client.open("/lake/cold.bin")) {
        assertArrayEquals(data, again.readAllBytes());
      }
    });
  }

  /** Two blocks of random bytes with {@link #MARKER} a quarter into block 0. */
  private static byte[] markedFile(long seed) {
    byte[] data = new byte[2 * BLOCK];
    new Random(seed).nextBytes(data);
    byte[] marker = MARKER.getBytes(StandardCharsets.ISO_8859_1);
    System.arraycopy(marker, 0, data, BLOCK / 4, marker.length);
    return data;
  }

  /**
   * Has the proxy stop S3's answers just after the marker and reads half of what precedes it, which the reader gets
   * while the rest of block 0 is held back; checks and returns those bytes.
   */
  private byte[] readHeadPastPartition(FaultProxy proxy, SluiceInputStream in, byte[] data) throws Exception {
    CountDownLatch partitioned = proxy.partitionAfter(MARKER);
    byte[] head = new byte[BLOCK / 8];
    Future<Integer> first = reader.submit(() -> in.readNBytes(head, 0, head.length));
    assertTrue(partitioned.await(30, TimeUnit.SECONDS), "the marker went through");
    assertEquals(head.length, first.get(30, TimeUnit.SECONDS), "read while S3 holds the rest of the block");
    assertArrayEquals(Arrays.copyOf(data, head.length), head);
    return head;
  }

  /** Bytes the worker reserved for blocks being written: here, one block per load running. */
  private static long reserved(LocalCluster c) {
    return c.worker(0).blockStore().tierStats().stream().mapToLong(TierStats::reserved).sum();
  }
}
