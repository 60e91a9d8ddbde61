package io.sluice.master.namespace;

import static io.sluice.master.namespace.BlockOpsTest.block;
import static io.sluice.master.namespace.StatusAssert.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.proto.BlockEdit;
import io.sluice.common.proto.CommitEditRequest;
import io.sluice.common.proto.CreateFileRequest;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.SetAttributesRequest;
import io.sluice.common.proto.Status;
import io.sluice.master.proto.ApplyResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Changing complete files through block versions (DESIGN §3): allocation, the swap, its conflicts and cleanup. */
class BlockVersionOpsTest {
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

  static BlockEdit edit(int index, long baseId, long id, long length) {
    return BlockEdit.newBuilder().setIndex(index).setBaseBlockId(baseId).setBlock(block(id, length)).build();
  }

  static CommitEditRequest.Builder commit(FileInfo f, long length, BlockEdit... edits) {
    return CommitEditRequest.newBuilder().setFileId(f.getId()).setBaseLength(f.getLength()).setLength(length)
        .addAllEdits(List.of(edits));
  }

  @Test
  void versionIdsAreApartFromFileBlockIds() {
    long v = BlockIds.version(42);
    assertTrue(BlockIds.isVersion(v));
    assertEquals(42, BlockIds.counterId(v));
    assertFalse(BlockIds.isVersion(BlockIds.of((1L << 42) - 1, BlockIds.MAX_BLOCKS - 1)));
  }

  @Test
  void aCommitSwapsTheEditedBlockAndRemovesTheOldOne() throws Exception {
    FileInfo f = ns.writeFile("/f", 3);
    long old1 = f.getBlocks(1).getBlockId();
    long v = ns.allocateVersion(f.getId(), 1);
    assertTrue(BlockIds.isVersion(v));
    // Pending: readers still see the old block, and a worker holding the version keeps it.
    assertEquals(f.getBlocksList(), ns.stat("/f").getBlocksList());
    assertTrue(AllocatedBlocks.isAllocated(ns.store.reader(), v));
    ns.clock.advance(Duration.ofSeconds(5));

    ApplyResult r = ns.commitEdit(commit(f, 3 * BS, edit(1, old1, v, BS)).build());
    assertEquals(List.of(f.getBlocks(0), block(v, BS), f.getBlocks(2)), r.getInfo().getBlocksList());
    assertEquals(List.of(old1), r.getRemovedBlockIdsList());
    assertEquals(3 * BS, r.getInfo().getLength());
    assertTrue(r.getInfo().getMtimeMs() > f.getMtimeMs());
    assertTrue(AllocatedBlocks.isAllocated(ns.store.reader(), v));
    assertFalse(AllocatedBlocks.isAllocated(ns.store.reader(), old1));
    // Its version id is from the inode counter: the next inode does not reuse it.
    FileInfo g = ns.create("/g");
    assertTrue(g.getId() > BlockIds.counterId(v));
  }

  @Test
  void appendRewritesThePartialLastBlockAndAddsNewOnes() throws Exception {
    FileInfo f = ns.create("/f");
    long b0 = ns.addBlock(f.getId(), List.of()).getInfo().getBlocks(0).getBlockId();
    f = ns.complete(f.getId(), List.of(block(b0, 100)), 100).getInfo();
    long v0 = ns.allocateVersion(f.getId(), 0);
    long v1 = ns.allocateVersion(f.getId(), 1);
    // Keeping the 100-byte block 0 under a longer length cannot be: it must be rewritten.
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.commitEdit(commit(ns.stat("/f"), BS + 5,
        edit(1, 0, v1, 5)).build()));
    ApplyResult r = ns.commitEdit(commit(ns.stat("/f"), BS + 5, edit(0, b0, v0, BS), edit(1, 0, v1, 5)).build());
    assertEquals(List.of(block(v0, BS), block(v1, 5)), r.getInfo().getBlocksList());
    assertEquals(List.of(b0), r.getRemovedBlockIdsList());
  }

  @Test
  void truncateDropsBlocksPastTheEndAndNeedsTheCutBlockRewritten() throws Exception {
    FileInfo f = ns.writeFile("/f", 3);
    // To a block boundary: blocks 1 and 2 go, nothing is rewritten.
    ApplyResult r = ns.commitEdit(commit(f, BS).build());
    assertEquals(List.of(f.getBlocks(0)), r.getInfo().getBlocksList());
    assertEquals(List.of(f.getBlocks(1).getBlockId(), f.getBlocks(2).getBlockId()), r.getRemovedBlockIdsList());
    f = r.getInfo();
    // Into a block: that block must be an edit.
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.commitEdit(commit(ns.stat("/f"), 10).build()));
    long v = ns.allocateVersion(f.getId(), 0);
    r = ns.commitEdit(commit(f, 10, edit(0, f.getBlocks(0).getBlockId(), v, 10)).build());
    assertEquals(List.of(block(v, 10)), r.getInfo().getBlocksList());
    // To zero.
    r = ns.commitEdit(commit(r.getInfo(), 0).build());
    assertEquals(List.of(), r.getInfo().getBlocksList());
    assertEquals(List.of(v), r.getRemovedBlockIdsList());
    assertTrue(ns.store.reader().version(v).isEmpty());
  }

  @Test
  void writersOfDifferentBlocksBothLandAndOfTheSameBlockTheSecondIsStale() throws Exception {
    FileInfo f = ns.writeFile("/f", 2);
    long a = ns.allocateVersion(f.getId(), 0);
    long b = ns.allocateVersion(f.getId(), 1);
    long c = ns.allocateVersion(f.getId(), 0);
    ns.commitEdit(commit(f, 2 * BS, edit(0, f.getBlocks(0).getBlockId(), a, BS)).build());
    // Read before the first commit, block 1 unchanged since: lands.
    FileInfo after = ns.commitEdit(commit(f, 2 * BS, edit(1, f.getBlocks(1).getBlockId(), b, BS)).build())
        .getInfo();
    assertEquals(List.of(block(a, BS), block(b, BS)), after.getBlocksList());
    // Block 0 replaced since it was read: STALE, nothing changes.
    long index = ns.index;
    assertStatus(Status.STALE, () -> ns.commitEdit(commit(f, 2 * BS,
        edit(0, f.getBlocks(0).getBlockId(), c, BS)).build()));
    assertEquals(after, ns.stat("/f"));
    assertEquals(index, ns.index);
    // A length changed since it was read: STALE too.
    ns.commitEdit(commit(after, BS).build());
    assertStatus(Status.STALE, () -> ns.commitEdit(commit(after, 2 * BS, edit(0, a, c, BS)).build()));
  }

  @Test
  void aVersionCountsOnlyForTheBlockAndFileItWasAllocatedFor() throws Exception {
    FileInfo f = ns.writeFile("/f", 2);
    FileInfo g = ns.writeFile("/g", 2);
    long forG = ns.allocateVersion(g.getId(), 0);
    long forF1 = ns.allocateVersion(f.getId(), 1);
    long f0 = f.getBlocks(0).getBlockId();
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.commitEdit(commit(f, 2 * BS, edit(0, f0, forG, BS)).build()));
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.commitEdit(commit(f, 2 * BS, edit(0, f0, forF1, BS)).build()));
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.commitEdit(commit(f, 2 * BS,
        edit(0, f0, g.getBlocks(0).getBlockId(), BS)).build()));
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.commitEdit(commit(f, BS, edit(1, f.getBlocks(1).getBlockId(),
        forF1, BS)).build()));
  }

  @Test
  void abandonedVersionsAndVersionsOfDeletedFilesAreRemoved() throws Exception {
    FileInfo f = ns.writeFile("/f", 1);
    long used = ns.allocateVersion(f.getId(), 0);
    long abandoned = ns.allocateVersion(f.getId(), 0);
    ApplyResult r = ns.commitEdit(commit(f, BS, edit(0, f.getBlocks(0).getBlockId(), used, BS))
        .addAbandoned(abandoned).build());
    assertEquals(Set.of(f.getBlocks(0).getBlockId(), abandoned), Set.copyOf(r.getRemovedBlockIdsList()));
    assertTrue(ns.store.reader().version(abandoned).isEmpty());
    assertFalse(AllocatedBlocks.isAllocated(ns.store.reader(), abandoned));

    // Deleting the file removes its versions and their records.
    long pending = ns.allocateVersion(f.getId(), 0);
    ApplyResult d = ns.delete("/f", false);
    assertEquals(List.of(used), d.getRemovedBlockIdsList());
    assertTrue(ns.store.reader().version(used).isEmpty());
    // A pending version of a deleted file is no longer allocated: a worker's report of it is dropped.
    assertFalse(AllocatedBlocks.isAllocated(ns.store.reader(), pending));
  }

  @Test
  void aFailedCommitsVersionsAreDroppedByAnAbandonOnlyCommit() throws Exception {
    FileInfo f = ns.writeFile("/f", 2);
    long mine = ns.allocateVersion(f.getId(), 0);
    long theirs = ns.allocateVersion(f.getId(), 0);
    FileInfo after = ns.commitEdit(commit(f, 2 * BS, edit(0, f.getBlocks(0).getBlockId(), theirs, BS)).build())
        .getInfo();
    assertStatus(Status.STALE, () -> ns.commitEdit(commit(f, 2 * BS,
        edit(0, f.getBlocks(0).getBlockId(), mine, BS)).build()));
    ns.clock.advance(Duration.ofSeconds(5));
    // The writer that lost names what it wrote; base and length do not matter, the file does not change. The
    // file's own block is never dropped, even when named.
    ApplyResult r = ns.commitEdit(CommitEditRequest.newBuilder().setFileId(f.getId()).setAbandonOnly(true)
        .setBaseLength(12345).addAbandoned(mine).addAbandoned(theirs).build());
    assertEquals(List.of(mine), r.getRemovedBlockIdsList());
    assertEquals(after, ns.stat("/f"));
    assertTrue(ns.store.reader().version(mine).isEmpty());
    assertTrue(ns.store.reader().version(theirs).isPresent());
  }

  @Test
  void aVersionLeftUncommittedLongCountsAsAbandonedButACommittedOneNever() throws Exception {
    FileInfo f = ns.writeFile("/f", 2);
    long committed = ns.allocateVersion(f.getId(), 0);
    ns.commitEdit(commit(f, 2 * BS, edit(0, f.getBlocks(0).getBlockId(), committed, BS)).build());
    long pending = ns.allocateVersion(f.getId(), 1);
    long allocatedMs = ns.clock.millis();
    assertTrue(AllocatedBlocks.isAllocated(ns.store.reader(), pending, allocatedMs), "young: its writer is at work");
    assertFalse(AllocatedBlocks.isAllocated(ns.store.reader(), pending, allocatedMs + 1), "old: its writer died");
    assertTrue(AllocatedBlocks.isAllocated(ns.store.reader(), committed, Long.MAX_VALUE), "in the file: kept");
  }

  @Test
  void anEditNamingTheBlockAlreadyThereKeepsIt() throws Exception {
    FileInfo f = ns.writeFile("/f", 1);
    long v = ns.allocateVersion(f.getId(), 0);
    FileInfo after = ns.commitEdit(commit(f, BS, edit(0, f.getBlocks(0).getBlockId(), v, BS)).build()).getInfo();
    ApplyResult again = ns.commitEdit(commit(after, BS, edit(0, v, v, BS)).build());
    assertEquals(List.of(), again.getRemovedBlockIdsList());
    assertEquals(List.of(block(v, BS)), again.getInfo().getBlocksList());
    assertTrue(AllocatedBlocks.isAllocated(ns.store.reader(), v));
  }

  @Test
  void onlyCompleteWritableFilesOutsideMountsCanBeChanged() throws Exception {
    FileInfo open = ns.create(CreateFileRequest.newBuilder().setPath("/open").build()).getInfo();
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.allocateVersion(open.getId(), 0));
    FileInfo f = ns.writeFile("/f", 1);
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.allocateVersion(f.getId(), BlockIds.MAX_BLOCKS));
    ns.setAttributes(SetAttributesRequest.newBuilder().setPath("/f").setMode(0644).build());
    ns.caller = new Caller("bob", Set.of(), false);
    assertStatus(Status.PERMISSION_DENIED, () -> ns.allocateVersion(f.getId(), 0));
    assertStatus(Status.PERMISSION_DENIED, () -> ns.commitEdit(commit(f, 0).build()));
    assertStatus(Status.IS_DIRECTORY, () -> ns.commitEdit(CommitEditRequest.newBuilder().setPath("/").build()));
  }

  /** Runs what the leader's sweeper does, one page: scan for versions pending since before {@code beforeMs}. */
  private ApplyResult expire(long beforeMs) throws Exception {
    ExpireVersionsOp.Page page = ExpireVersionsOp.scan(ns.store.reader(), 0, 1000, beforeMs);
    assertFalse(page.more());
    return ns.run(ExpireVersionsOp.prepare(page.expired(), beforeMs));
  }

  /**
   * A version allocated and never committed (its writer died) is dropped once older than the expiry, record and
   * block; a younger one, a committed one and the file's own blocks stay; a version whose file was deleted goes too.
   */
  @Test
  void pendingVersionsExpireAndCommittedOnesStay() throws Exception {
    FileInfo f = ns.writeFile("/f", 2);
    long committed = ns.allocateVersion(f.getId(), 0);
    f = ns.commitEdit(commit(f, 2 * BS, edit(0, f.getBlocks(0).getBlockId(), committed, BS)).build()).getInfo();
    long old = ns.allocateVersion(f.getId(), 1);
    FileInfo g = ns.writeFile("/g", 1);
    long orphan = ns.allocateVersion(g.getId(), 0);
    ns.delete("/g", false);
    ns.clock.advance(Duration.ofMinutes(10));
    long young = ns.allocateVersion(f.getId(), 1);
    long cutoff = ns.clock.millis() - Duration.ofMinutes(5).toMillis();

    ApplyResult r = expire(cutoff);
    assertEquals(Set.of(old, orphan), Set.copyOf(r.getRemovedBlockIdsList()), "blocks the workers must delete");
    assertTrue(ns.store.reader().version(old).isEmpty());
    assertTrue(ns.store.reader().version(orphan).isEmpty());
    assertTrue(ns.store.reader().version(young).isPresent());
    assertTrue(ns.store.reader().version(committed).isPresent());
    assertEquals(f.getBlocksList(), ns.stat("/f").getBlocksList());
    assertFalse(AllocatedBlocks.isAllocated(ns.store.reader(), old));
    // A late commit of the expired version is refused; the young one still commits.
    FileInfo now = ns.stat("/f");
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.commitEdit(commit(now, 2 * BS,
        edit(1, now.getBlocks(1).getBlockId(), old, BS)).build()));
    ns.commitEdit(commit(now, 2 * BS, edit(1, now.getBlocks(1).getBlockId(), young, BS)).build());
    assertEquals(List.of(), expire(ns.clock.millis() + 1).getRemovedBlockIdsList(), "nothing pending is left");
  }

  /** The entry checks again at apply: a version committed after the leader's scan is not dropped. */
  @Test
  void aVersionCommittedAfterTheScanIsKept() throws Exception {
    FileInfo f = ns.writeFile("/f", 1);
    long v = ns.allocateVersion(f.getId(), 0);
    ns.clock.advance(Duration.ofMinutes(10));
    long cutoff = ns.clock.millis() - 1;
    ExpireVersionsOp.Page page = ExpireVersionsOp.scan(ns.store.reader(), 0, 1000, cutoff);
    assertEquals(List.of(v), page.expired());
    ns.commitEdit(commit(f, BS, edit(0, f.getBlocks(0).getBlockId(), v, BS)).build());
    ApplyResult r = ns.run(ExpireVersionsOp.prepare(page.expired(), cutoff));
    assertEquals(List.of(), r.getRemovedBlockIdsList());
    assertTrue(ns.store.reader().version(v).isPresent());
  }
}
