package io.sluice.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.testing.FakeCluster;
import io.sluice.common.proto.AddBlockRequest;
import io.sluice.common.proto.BlockMeta;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The output stream's contract: block layout, close semantics, and failures that never leave a short file. */
class WritePathTest {
  private FakeCluster cluster;
  private SluiceClient client;

  @BeforeEach
  void start() throws Exception {
    cluster = FakeCluster.start(2);
    client = SluiceClient.connect(cluster.conf());
  }

  @AfterEach
  void stop() {
    client.close();
    cluster.close();
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  /** The status carried by {@code e} or the first {@link RpcException} among its causes. */
  private static Status statusOf(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof RpcException re) {
        return re.status();
      }
    }
    throw new AssertionError("no RpcException in", e);
  }

  @Test
  void blocksFollowTheRequestedBlockSizeAndAreCommittedInOrder() throws Exception {
    byte[] data = bytes(1_000_000);
    try (SluiceOutputStream out = client.create("/b", CreateOptions.defaults().withBlockSize(256 * 1024))) {
      out.write(data);
    }
    FileInfo info = client.getStatus("/b");
    assertEquals(4, info.getBlocksCount());
    long[] expected = {262144, 262144, 262144, 1_000_000 - 3 * 262144};
    for (int i = 0; i < 4; i++) {
      BlockMeta b = info.getBlocks(i);
      assertEquals(expected[i], b.getLength());
      assertEquals(expected[i], cluster.workers.get(0).get(b.getBlockId()).length);
    }
    // the create placed the first block; each ADD_BLOCK after carried the blocks committed before it
    List<AddBlockRequest> calls = cluster.master.addBlockCalls();
    assertEquals(3, calls.size());
    for (int i = 0; i < calls.size(); i++) {
      assertEquals(i + 1, calls.get(i).getPreviousCount());
    }
    try (SluiceInputStream in = client.open("/b")) {
      assertArrayEquals(data, in.readAllBytes());
    }
  }

  @Test
  void closeIsIdempotentAndWritesAfterCloseFail() throws Exception {
    SluiceOutputStream out = client.create("/c");
    out.write(bytes(10));
    out.close();
    out.close();
    assertThrows(IOException.class, () -> out.write(1));
    assertThrows(IOException.class, () -> out.write(new byte[3], 0, 3));
    assertThrows(IOException.class, out::flush);
    assertEquals(10, client.getStatus("/c").getLength());
  }

  @Test
  void fileIsIncompleteUntilClosed() throws Exception {
    try (SluiceOutputStream out = client.create("/inc")) {
      out.write(bytes(5000));
      out.flush();
      assertFalse(client.getStatus("/inc").getComplete());
    }
    assertTrue(client.getStatus("/inc").getComplete());
  }

  @Test
  void workerFailureFailsTheStreamAndLeavesTheFileIncomplete() throws Exception {
    cluster.workers.get(0).failWritesAfter = 100_000;
    SluiceOutputStream out = client.create("/w");
    IOException e = assertThrows(IOException.class, () -> {
      try (out) {
        out.write(bytes(3 << 20));
      }
    });
    assertEquals(Status.IO_ERROR, statusOf(e));
    assertTrue(e.getMessage().contains("/w"), e.getMessage());
    assertThrows(IOException.class, () -> out.write(1));
    out.close(); // already closed: no-op
    FileInfo info = client.getStatus("/w");
    assertFalse(info.getComplete(), "a failed write must not complete the file");
    assertEquals(0, info.getLength());
  }

  @Test
  void unreachableWorkerIsExcludedAndTheBlockPlacedElsewhere() throws Exception {
    cluster.stopWorker(0);
    byte[] data = bytes(1_500_000);
    try (SluiceOutputStream out = client.create("/x")) {
      out.write(data);
    }
    // The create placed block 0 on the stopped worker: asked again without it. Block 1 the same way.
    List<AddBlockRequest> calls = cluster.master.addBlockCalls();
    assertEquals(0, calls.get(0).getPreviousCount());
    assertEquals(List.of(1L), calls.get(0).getExcludedWorkersList());
    assertEquals(List.of(), calls.get(1).getExcludedWorkersList());
    assertEquals(List.of(1L), calls.get(2).getExcludedWorkersList());
    assertEquals(2, cluster.workers.get(1).blockCount());
    try (SluiceInputStream in = client.open("/x")) {
      assertArrayEquals(data, in.readAllBytes());
    }
  }

  @Test
  void noReachableWorkerFailsTheWrite() throws Exception {
    cluster.stopWorker(0);
    cluster.stopWorker(1);
    SluiceOutputStream out = client.create("/none");
    IOException e = assertThrows(IOException.class, () -> out.write(1));
    assertEquals(Status.UNAVAILABLE, statusOf(e));
    assertThrows(IOException.class, out::close);
    out.close();
    assertFalse(client.getStatus("/none").getComplete());
  }

  @Test
  void aFileOfOneBlockAsksTheMasterNoBlock() throws Exception {
    byte[] data = bytes(4096);
    try (SluiceOutputStream out = client.create("/small")) {
      out.write(data);
    }
    assertEquals(List.of(), cluster.master.addBlockCalls(), "the create placed its block");
    FileInfo info = client.getStatus("/small");
    assertEquals(1, info.getBlocksCount());
    assertArrayEquals(data, cluster.workers.get(0).get(info.getBlocks(0).getBlockId()));
  }

  /**
   * A first write long after the create (sluice.user.write.first.block.max.age) does not trust the placement the
   * create returned, which may name a worker gone since: it asks ADD_BLOCK, which names the same block.
   */
  @Test
  void aFirstWriteLongAfterTheCreateAsksTheMasterWhereItsBlockGoes() throws Exception {
    byte[] data = bytes(4096);
    try (SluiceClient late = SluiceClient.connect(cluster.conf().with("sluice.user.write.first.block.max.age",
        "1ms"))) {
      try (SluiceOutputStream out = late.create("/late")) {
        Thread.sleep(20);  // older than the max age, whatever the clock's resolution
        out.write(data);
      }
      assertTrue(cluster.master.createCalls().get(0).getPlaceFirstBlock());
      assertEquals(1, cluster.master.addBlockCalls().size(), "asked once, for block 0");
      FileInfo info = late.getStatus("/late");
      assertEquals(1, info.getBlocksCount());
      assertArrayEquals(data, cluster.workers.get(0).get(info.getBlocks(0).getBlockId()));
    }
  }

  @Test
  void aMaxAgeOfZeroHasCreatesPlaceNoBlock() throws Exception {
    try (SluiceClient plain = SluiceClient.connect(cluster.conf().with("sluice.user.write.first.block.max.age",
        "0s"))) {
      try (SluiceOutputStream out = plain.create("/plain")) {
        out.write(bytes(10));
      }
      assertFalse(cluster.master.createCalls().get(0).getPlaceFirstBlock());
      assertEquals(1, cluster.master.addBlockCalls().size());
      assertEquals(10, plain.getStatus("/plain").getLength());
    }
  }

  @Test
  void emptyFileHasNoBlocks() throws Exception {
    client.create("/empty").close();
    FileInfo info = client.getStatus("/empty");
    assertTrue(info.getComplete());
    assertEquals(0, info.getBlocksCount());
    assertTrue(cluster.master.addBlockCalls().isEmpty());
  }
}
