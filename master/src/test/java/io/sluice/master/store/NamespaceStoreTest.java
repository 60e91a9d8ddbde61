package io.sluice.master.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.proto.FileType;
import io.sluice.master.proto.InodeRecord;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NamespaceStoreTest {
  @TempDir
  Path dir;

  static InodeRecord dir(long id, long parent, String name) {
    return InodeRecord.newBuilder().setId(id).setParentId(parent).setName(name).setType(FileType.DIRECTORY).build();
  }

  @Test
  void newStoreHoldsOnlyTheRoot() throws Exception {
    try (NamespaceStore s = NamespaceStore.open(dir, "admin")) {
      InodeRecord root = s.reader().inode(NamespaceStore.ROOT_ID).orElseThrow();
      assertEquals(FileType.DIRECTORY, root.getType());
      assertEquals("admin", root.getOwner());
      assertEquals(0755, root.getMode());
      assertEquals(1, s.inodeCount());
      assertEquals(NamespaceStore.ROOT_ID + 1, s.nextInodeId());
      assertEquals(-1, s.appliedIndex());
      assertFalse(s.reader().hasChildren(NamespaceStore.ROOT_ID));
    }
  }

  @Test
  void batchSeesItsOwnWritesAndCommitsAtomicallyWithIndex() throws Exception {
    try (NamespaceStore s = NamespaceStore.open(dir, "admin")) {
      try (StoreBatch b = s.newBatch()) {
        b.insertInode(dir(2, 1, "a"));
        b.putEdge(1, "a", 2);
        assertEquals(2, b.childId(1, "a").getAsLong());
        assertEquals(List.of(new NamespaceReader.Child("a", 2)), b.children(1, "", 10));
        assertFalse(s.reader().childId(1, "a").isPresent(), "nothing visible before commit");
        s.commit(b, 3, 7);
      }
      assertEquals(7, s.appliedIndex());
      assertEquals(3, s.appliedTerm());
      assertEquals(3, s.nextInodeId());
      assertEquals(2, s.inodeCount());
      assertTrue(s.reader().childId(1, "a").isPresent());
      try (StoreBatch b = s.newBatch()) {
        assertThrows(IllegalStateException.class, () -> s.commit(b, 3, 7));
        b.insertInode(dir(9, 1, "b"));
        b.insertInode(dir(4, 1, "c"));
        assertEquals(10, b.nextInodeId(), "the next id only grows");
      }
    }
    try (NamespaceStore s = NamespaceStore.open(dir, "someone-else")) {
      assertEquals(7, s.appliedIndex());
      assertEquals(3, s.nextInodeId());
      assertEquals(2, s.inodeCount());
      assertEquals("admin", s.reader().inode(1).orElseThrow().getOwner());
      assertEquals("a", s.reader().inode(2).orElseThrow().getName());
    }
  }

  @Test
  void discardDropsWritesAndCounters() throws Exception {
    try (NamespaceStore s = NamespaceStore.open(dir, "admin"); StoreBatch b = s.newBatch()) {
      b.insertInode(dir(5, 1, "a"));
      b.putEdge(1, "a", 5);
      b.discard();
      assertFalse(b.childId(1, "a").isPresent());
      s.commit(b, 1, 0);
      assertEquals(2, s.nextInodeId());
      assertEquals(1, s.inodeCount());
      assertEquals(0, s.appliedIndex());
    }
  }

  @Test
  void snapshotIsNotAffectedByLaterCommits() throws Exception {
    try (NamespaceStore s = NamespaceStore.open(dir, "admin")) {
      try (StoreSnapshot snap = s.snapshot()) {
        try (StoreBatch b = s.newBatch()) {
          b.insertInode(dir(2, 1, "a"));
          b.putEdge(1, "a", 2);
          s.commit(b, 1, 0);
        }
        assertFalse(snap.childId(1, "a").isPresent());
        assertTrue(snap.children(1, "", 10).isEmpty());
      }
      assertTrue(s.reader().childId(1, "a").isPresent());
    }
  }

  @Test
  void childrenAreScopedToTheirParent() throws Exception {
    try (NamespaceStore s = NamespaceStore.open(dir, "admin")) {
      try (StoreBatch b = s.newBatch()) {
        // Parent 1's and parent 256's edges are adjacent in key order: the prefix scan must stop between them.
        b.putEdge(1, "x", 10);
        b.putEdge(256, "a", 11);
        b.putEdge(0, "z", 12);
        s.commit(b, 1, 0);
      }
      assertEquals(List.of(new NamespaceReader.Child("x", 10)), s.reader().children(1, "", 100));
      assertEquals(List.of(new NamespaceReader.Child("a", 11)), s.reader().children(256, "", 100));
    }
  }
}
