package io.sluice.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.testing.FakeCluster;
import io.sluice.client.testing.FakeWorker;
import io.sluice.common.conf.CommonKeys;
import io.sluice.common.proto.BlockLocation;
import io.sluice.common.proto.BlockMeta;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerAddress;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How the read path treats workers: the read window bounds what is in flight, closing mid-block releases every
 * frame (the leak guard fails the class otherwise), corrupt data is caught, and a failing replica is skipped.
 */
class ReadPathTest {
  private static final int WINDOW = 4;
  private static final int READ_CHUNK = 48 * 1024;

  private FakeCluster cluster;
  private SluiceClient client;
  private final byte[] data = new byte[3 * (1 << 20) + 100];

  @BeforeEach
  void start() throws Exception {
    cluster = FakeCluster.start(2);
    client = SluiceClient.connect(cluster.conf());
    new Random(42).nextBytes(data);
    try (SluiceOutputStream out = client.create("/f")) {
      out.write(data);
    }
  }

  @AfterEach
  void stop() {
    client.close();
    cluster.close();
  }

  private FakeWorker firstWorker() {
    return cluster.workers.get(0);
  }

  private List<BlockMeta> blocks() throws RpcException {
    return client.getStatus("/f").getBlocksList();
  }

  @Test
  void readWindowBoundsFramesInFlight() throws Exception {
    FakeWorker w = firstWorker();
    byte[] got = new byte[data.length];
    try (SluiceInputStream in = client.open("/f")) {
      // A slow reader: a few bytes at a time, so the worker is always ahead and must wait for credits.
      int at = 0;
      for (int n; (n = in.read(got, at, Math.min(5000, got.length - at))) > 0; ) {
        at += n;
      }
      assertEquals(data.length, at);
    }
    assertArrayEquals(data, got);
    assertEquals(WINDOW, w.maxInitialCredits.get());
    assertTrue(w.maxCreditBalance.get() <= WINDOW, "credit balance " + w.maxCreditBalance.get());
    assertTrue(w.maxUnreturned.get() <= WINDOW, "unreturned " + w.maxUnreturned.get());
    // One stream per block: sequential reading never reopened.
    assertEquals(blocks().size(), w.readStreams.get());
    // The window was actually used: the worker sent ahead of the reader (more than one frame per block).
    assertTrue(w.framesSent.availablePermits() > 3 * WINDOW);
  }

  @Test
  void closingMidBlockReleasesQueuedFramesAndCancels() throws Exception {
    FakeWorker w = firstWorker();
    SluiceInputStream in = client.open("/f");
    assertEquals(data[0] & 0xff, in.read());
    // Wait until the worker has filled the window, so frames sit in the client's queue.
    assertTrue(w.framesSent.tryAcquire(WINDOW, 10, TimeUnit.SECONDS));
    in.close();
    assertTrue(w.readsAborted.tryAcquire(1, 10, TimeUnit.SECONDS), "the worker saw the cancel");
    assertThrows(IOException.class, in::read);
    in.close(); // idempotent
  }

  @Test
  void seekFarAwayCancelsTheOpenStream() throws Exception {
    FakeWorker w = firstWorker();
    try (SluiceInputStream in = client.open("/f")) {
      assertEquals(data[0] & 0xff, in.read());
      in.seek(READ_CHUNK * (WINDOW + 3L)); // beyond anything buffered in the first block
      assertEquals(data[READ_CHUNK * (WINDOW + 3)] & 0xff, in.read());
      assertTrue(w.readsAborted.tryAcquire(1, 10, TimeUnit.SECONDS));
      assertEquals(2, w.readStreams.get());
    }
  }

  @Test
  void corruptFrameFailsWithIoError() throws Exception {
    firstWorker().corruptReads = true;
    try (SluiceInputStream in = client.open("/f")) {
      RpcException e = assertThrows(RpcException.class, () -> in.read(new byte[100], 0, 100));
      assertEquals(Status.IO_ERROR, e.status());
      assertTrue(e.getMessage().contains("CRC32C") && e.getMessage().contains("/f"), e.getMessage());
    }
    // The worker was told which block and where, so it can check its copy.
    assertEquals(1, firstWorker().corruptReports.size());
    assertEquals(blocks().get(0).getBlockId(), firstWorker().corruptReports.get(0).getBlockId());
    assertEquals(0, firstWorker().corruptReports.get(0).getOffset());
  }

  @Test
  void failingReplicaIsSkipped() throws Exception {
    // Every block is on worker 1 (the pipeline's target); copy it to worker 2, and make worker 1 unusable in
    // different ways: lose one block, corrupt the others.
    FakeWorker w1 = firstWorker();
    FakeWorker w2 = cluster.workers.get(1);
    for (BlockMeta b : blocks()) {
      w2.put(b.getBlockId(), w1.get(b.getBlockId()));
      cluster.master.setLocations(b.getBlockId(), cluster.locations);
    }
    w1.drop(blocks().get(0).getBlockId());
    w1.corruptReads = true;
    try (SluiceInputStream in = client.open("/f")) {
      assertArrayEquals(data, in.readAllBytes());
    }
    assertEquals(blocks().size() - 1, w1.corruptReports.size(), "each corrupt copy reported once");
    assertTrue(w2.corruptReports.isEmpty());
  }

  @Test
  void blockWithoutReachableLocationIsUnavailableNamingTheBlock() throws Exception {
    long blockId = blocks().get(1).getBlockId();
    BlockLocation dead = BlockLocation.newBuilder().setWorkerId(9).setAddress(
        WorkerAddress.newBuilder().setHost("127.0.0.1").setDataPort(1)).build();
    cluster.master.setLocations(blockId, List.of(dead));
    try (SluiceInputStream in = client.open("/f")) {
      byte[] first = new byte[1 << 20];
      in.readNBytes(first, 0, first.length); // block 0 is fine
      RpcException e = assertThrows(RpcException.class, in::read);
      assertEquals(Status.UNAVAILABLE, e.status());
      assertTrue(e.getMessage().contains("block " + blockId) && e.getMessage().contains("/f"), e.getMessage());
      // a positioned read of that block fails the same way; one of the readable block still works
      assertEquals(Status.UNAVAILABLE,
          assertThrows(RpcException.class, () -> in.read((1 << 20) + 5, new byte[1], 0, 1)).status());
      assertEquals(1, in.read(7, new byte[1], 0, 1));
    }
    cluster.master.setLocations(blockId, List.of());
    try (SluiceInputStream in = client.open("/f")) {
      RpcException e = assertThrows(RpcException.class, () -> in.read(1 << 20, new byte[1], 0, 1));
      assertEquals(Status.UNAVAILABLE, e.status());
      assertTrue(e.getMessage().contains("block " + blockId), e.getMessage());
    }
  }

  /**
   * A worker that stopped answering costs one timeout: the reader fails over to the other replica and every later
   * read of this client (other blocks, other streams) tries that worker last, for the avoid time. With avoidance
   * off, each block waits it out again.
   */
  @Test
  void aWorkerThatStoppedAnsweringIsTriedLastByLaterReads() throws Exception {
    FakeWorker w1 = firstWorker();
    FakeWorker w2 = cluster.workers.get(1);
    for (BlockMeta b : blocks()) {
      w2.put(b.getBlockId(), w1.get(b.getBlockId()));
      cluster.master.setLocations(b.getBlockId(), cluster.locations); // w1 first
    }
    w1.stallReads = true;
    // The timeout also bounds each frame's wait on the healthy worker: long enough that a slow machine's pause there
    // is not taken for a stall.
    try (SluiceClient impatient = SluiceClient.connect(cluster.conf().with(CommonKeys.RPC_CALL_TIMEOUT, "1s"))) {
      for (int i = 0; i < 2; i++) {
        try (SluiceInputStream in = impatient.open("/f")) {
          assertArrayEquals(data, in.readAllBytes());
        }
      }
    }
    assertEquals(1, w1.readStreams.get(), "only the first block waited for the stalled worker");
    try (SluiceClient patient = SluiceClient.connect(cluster.conf().with(CommonKeys.RPC_CALL_TIMEOUT, "1s")
        .with(ClientKeys.WORKER_AVOID_TIME, "0s")); SluiceInputStream in = patient.open("/f")) {
      assertArrayEquals(data, in.readAllBytes());
    }
    assertEquals(1 + blocks().size(), w1.readStreams.get(), "without avoidance every block tries it first");
  }

  @Test
  void stalledWorkerFailsTheReadAfterTheCallTimeout() throws Exception {
    firstWorker().stallReads = true;
    try (SluiceClient impatient = SluiceClient.connect(cluster.conf().with(CommonKeys.RPC_CALL_TIMEOUT, "300ms"));
        SluiceInputStream in = impatient.open("/f")) {
      RpcException e = assertThrows(RpcException.class, in::read);
      assertEquals(Status.UNAVAILABLE, e.status());
      assertTrue(e.getMessage().contains("within 300 ms"), e.getMessage());
    }
  }
}
