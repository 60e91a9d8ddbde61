package io.sluice.master.namespace;

import static io.sluice.master.namespace.StatusAssert.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.sluice.common.proto.CreateFileRequest;
import io.sluice.common.proto.DeleteRequest;
import io.sluice.common.proto.MkdirRequest;
import io.sluice.common.proto.Status;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.proto.MkdirEntry;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NamespaceApplierTest {
  @TempDir
  Path dir;

  @Test
  void replayingAnAppliedIndexChangesNothing() throws Exception {
    try (NamespaceFixture ns = new NamespaceFixture(dir)) {
      JournalEntry mkdir = MkdirOp.prepare(MkdirRequest.newBuilder().setPath("/a").build(), ns.caller, ns.ctx)
          .entry();
      ns.apply(mkdir);
      JournalEntry delete = DeleteOp.prepare(DeleteRequest.newBuilder().setPath("/a").build(), ns.caller, ns.ctx)
          .entry();
      ns.apply(delete);
      long next = ns.store.nextInodeId();
      // The log replays both entries at their original indexes: the store already holds them.
      assertSame(NamespaceApplier.SKIPPED, ns.applier.apply(1, ns.index - 1, mkdir));
      assertSame(NamespaceApplier.SKIPPED, ns.applier.apply(1, ns.index, delete));
      assertStatus(Status.NOT_FOUND, () -> ns.stat("/a"));
      assertEquals(1, ns.store.inodeCount());
      assertEquals(next, ns.store.nextInodeId());
      assertEquals(ns.index, ns.store.appliedIndex());
    }
  }

  @Test
  void storeKeepsNamespaceAndAppliedIndexAcrossReopen() throws Exception {
    long index;
    long id;
    try (NamespaceFixture ns = new NamespaceFixture(dir)) {
      ns.mkdir("/a/b", true);
      id = ns.writeFile("/a/b/f", 0).getId();
      index = ns.index;
    }
    try (NamespaceFixture ns = new NamespaceFixture(dir)) {
      assertEquals(index, ns.store.appliedIndex());
      assertEquals(id, ns.stat("/a/b/f").getId());
      assertEquals(4, ns.store.inodeCount());
      // New ids continue after the ones used before the restart.
      long dirId = ns.mkdir("/c", false).getId();
      assertEquals(id + 1, dirId);
    }
  }

  @Test
  void failedEntryStillAdvancesTheAppliedIndex() throws Exception {
    try (NamespaceFixture ns = new NamespaceFixture(dir)) {
      ns.create("/f");
      JournalEntry bad = JournalEntry.newBuilder().setMkdir(MkdirEntry.newBuilder().setPath("/f")
          .addIds(ns.store.nextInodeId())).build();
      long next = ns.store.nextInodeId();
      ApplyResult r = ns.applier.apply(1, ++ns.index, bad);
      assertEquals(Status.ALREADY_EXISTS, r.getStatus());
      assertEquals(ns.index, ns.store.appliedIndex());
      assertEquals(next, ns.store.nextInodeId(), "a failed entry uses no id");
      assertEquals(2, ns.store.inodeCount());
    }
  }

  @Test
  void applyRevalidatesAgainstConcurrentChanges() throws Exception {
    try (NamespaceFixture ns = new NamespaceFixture(dir)) {
      ns.mkdir("/d", false);
      // Two creates of one path decided before either applied: the second loses.
      CreateFileRequest f = CreateFileRequest.newBuilder().setPath("/d/f").build();
      JournalEntry c1 = CreateFileOp.prepare(f, new Caller("a", Set.of(), true), ns.ctx).entry();
      JournalEntry c2 = CreateFileOp.prepare(f, new Caller("b", Set.of(), true), ns.ctx).entry();
      assertEquals("a", ns.apply(c1).getInfo().getOwner());
      assertStatus(Status.ALREADY_EXISTS, () -> ns.apply(c2));
      // A mkdir decided while its parent existed, applied after the parent was deleted.
      ns.mkdir("/e", false);
      JournalEntry sub = MkdirOp.prepare(MkdirRequest.newBuilder().setPath("/e/x").build(), ns.caller, ns.ctx).entry();
      ns.delete("/e", false);
      assertStatus(Status.NOT_FOUND, () -> ns.apply(sub));
    }
  }

  @Test
  void idsAllocatedInOneOrderMayApplyInAnother() throws Exception {
    try (NamespaceFixture ns = new NamespaceFixture(dir)) {
      JournalEntry first = MkdirOp.prepare(MkdirRequest.newBuilder().setPath("/a").build(), ns.caller, ns.ctx).entry();
      JournalEntry second = MkdirOp.prepare(MkdirRequest.newBuilder().setPath("/b").build(), ns.caller, ns.ctx).entry();
      long b = ns.apply(second).getInfo().getId();
      long a = ns.apply(first).getInfo().getId();
      assertEquals(a + 1, b);
      assertEquals(b + 1, ns.store.nextInodeId());
      assertEquals(b + 1, ns.mkdir("/c", false).getId());
    }
  }

  @Test
  void idInUseIsStale() throws Exception {
    try (NamespaceFixture ns = new NamespaceFixture(dir)) {
      long usedId = ns.mkdir("/a", false).getId();
      // An outdated leader hands out an id that is already taken.
      JournalEntry stale = JournalEntry.newBuilder().setMkdir(MkdirEntry.newBuilder().setPath("/b")
          .addIds(usedId)).build();
      assertStatus(Status.STALE, () -> ns.apply(stale));
      JournalEntry noIds = JournalEntry.newBuilder().setMkdir(MkdirEntry.newBuilder().setPath("/b/c/d")
          .setRecursive(true).addAllIds(List.of(ns.store.nextInodeId()))).build();
      assertStatus(Status.STALE, () -> ns.apply(noIds));
      assertStatus(Status.NOT_FOUND, () -> ns.stat("/b"));
    }
  }
}
