package io.sluice.master.namespace;

import static io.sluice.master.namespace.StatusAssert.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.proto.BlockMeta;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.Status;
import io.sluice.master.proto.ApplyResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockOpsTest {
  static final long BS = NamespaceFixture.BLOCK_SIZE;

  @TempDir
  Path dir;
  NamespaceFixture ns;

  @BeforeEach
  void open() throws Exception {
    ns = new NamespaceFixture(dir);
  }

  @AfterEach
  void close() {
    ns.close();
  }

  static BlockMeta block(long id, long length) {
    return BlockMeta.newBuilder().setBlockId(id).setLength(length).build();
  }

  @Test
  void blockIdsCarryFileAndIndex() {
    long id = BlockIds.of(42, 7);
    assertEquals(42, BlockIds.fileId(id));
    assertEquals(7, BlockIds.index(id));
    assertEquals(42L << 20 | 7, id);
  }

  @Test
  void writeAFile() throws Exception {
    FileInfo f = ns.create("/f");
    long b0 = BlockIds.of(f.getId(), 0);
    long b1 = BlockIds.of(f.getId(), 1);
    FileInfo after0 = ns.addBlock(f.getId(), List.of()).getInfo();
    assertEquals(List.of(block(b0, 0)), after0.getBlocksList());
    FileInfo after1 = ns.addBlock(f.getId(), List.of(block(b0, BS))).getInfo();
    assertEquals(List.of(block(b0, BS), block(b1, 0)), after1.getBlocksList());
    assertEquals(BS, after1.getLength());
    FileInfo done = ns.complete(f.getId(), List.of(block(b0, BS), block(b1, 10)), BS + 10).getInfo();
    assertTrue(done.getComplete());
    assertEquals(BS + 10, done.getLength());
    assertEquals(done, ns.stat("/f"));
    // A retried complete with the same blocks succeeds without a journal entry.
    long index = ns.index;
    assertEquals(done, ns.complete(f.getId(), List.of(block(b0, BS), block(b1, 10)), BS + 10).getInfo());
    assertEquals(index, ns.index);
  }

  @Test
  void retriedOrAbandonedBlockKeepsItsIdAndDropsLaterOnes() throws Exception {
    FileInfo f = ns.create("/f");
    long b0 = BlockIds.of(f.getId(), 0);
    long b1 = BlockIds.of(f.getId(), 1);
    long b2 = BlockIds.of(f.getId(), 2);
    ns.addBlock(f.getId(), List.of());
    ApplyResult retry = ns.addBlock(f.getId(), List.of());
    assertEquals(List.of(block(b0, 0)), retry.getInfo().getBlocksList());
    assertEquals(List.of(), retry.getRemovedBlockIdsList());
    ns.addBlock(f.getId(), List.of(block(b0, BS)));
    ns.addBlock(f.getId(), List.of(block(b0, BS), block(b1, BS)));
    // The writer gave up on blocks 1 and 2 and asks for block 1 again.
    ApplyResult again = ns.addBlock(f.getId(), List.of(block(b0, BS)));
    assertEquals(List.of(b2), again.getRemovedBlockIdsList());
    assertEquals(List.of(block(b0, BS), block(b1, 0)), again.getInfo().getBlocksList());
    // Completing with fewer blocks than allocated removes the rest.
    ApplyResult done = ns.complete(f.getId(), List.of(block(b0, 100)), 100);
    assertEquals(List.of(b1), done.getRemovedBlockIdsList());
  }

  @Test
  void addBlockErrors() throws Exception {
    FileInfo f = ns.create("/f");
    long b0 = BlockIds.of(f.getId(), 0);
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.addBlock(f.getId(), List.of(block(b0, BS))));
    ns.addBlock(f.getId(), List.of());
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.addBlock(f.getId(), List.of(block(b0, BS - 1))));
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.addBlock(f.getId(), List.of(block(b0 + 5, BS))));
    assertStatus(Status.NOT_FOUND, () -> ns.addBlock(12345, List.of()));
    long dirId = ns.mkdir("/d", false).getId();
    assertStatus(Status.IS_DIRECTORY, () -> ns.addBlock(dirId, List.of()));
    ns.complete(f.getId(), List.of(block(b0, 1)), 1);
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.addBlock(f.getId(), List.of(block(b0, 1))));
  }

  @Test
  void completeErrors() throws Exception {
    FileInfo f = ns.create("/f");
    long b0 = BlockIds.of(f.getId(), 0);
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.complete(f.getId(), List.of(block(b0, 1)), 1));
    ns.addBlock(f.getId(), List.of());
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.complete(f.getId(), List.of(block(b0, 5)), 6));
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.complete(f.getId(), List.of(block(b0, BS + 1)), BS + 1));
    ns.complete(f.getId(), List.of(block(b0, 5)), 5);
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.complete(f.getId(), List.of(block(b0, 6)), 6));
    ns.delete("/f", false);
    assertStatus(Status.NOT_FOUND, () -> ns.complete(f.getId(), List.of(block(b0, 5)), 5));
  }

  @Test
  void emptyFileCompletesWithoutBlocks() throws Exception {
    FileInfo f = ns.create("/empty");
    FileInfo done = ns.complete(f.getId(), List.of(), 0).getInfo();
    assertTrue(done.getComplete());
    assertEquals(0, done.getBlocksCount());
  }
}
