package io.sluice.master.namespace;

import static io.sluice.master.namespace.StatusAssert.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.sluice.common.proto.CreateFileRequest;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.Status;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.store.NamespaceStore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MkdirCreateOpTest {
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

  @Test
  void mkdirCreatesDirectoryWithLeaderChosenAttributes() throws Exception {
    ns.clock.advance(java.time.Duration.ofSeconds(5));
    FileInfo a = ns.mkdir("/a", false);
    assertEquals(FileType.DIRECTORY, a.getType());
    assertEquals("a", a.getName());
    assertEquals("alice", a.getOwner());
    assertEquals("root", a.getGroup(), "group is inherited from the parent");
    assertEquals(0755, a.getMode());
    assertEquals(NamespaceStore.ROOT_ID, a.getParentId());
    assertEquals(ns.clock.millis(), a.getMtimeMs());
    FileInfo root = ns.stat("/");
    assertEquals(3, root.getNlink());
    assertEquals(ns.clock.millis(), root.getMtimeMs());
    assertEquals(a, ns.stat("/a"));
    assertEquals(2, ns.store.inodeCount());
  }

  @Test
  void mkdirErrors() throws Exception {
    ns.mkdir("/a", false);
    assertStatus(Status.ALREADY_EXISTS, () -> ns.mkdir("/a", false));
    assertStatus(Status.ALREADY_EXISTS, () -> ns.mkdir("/", false));
    assertStatus(Status.NOT_FOUND, () -> ns.mkdir("/x/y", false));
    ns.create("/f");
    assertStatus(Status.NOT_DIRECTORY, () -> ns.mkdir("/f/x", false));
    assertStatus(Status.NOT_DIRECTORY, () -> ns.mkdir("/f/x/y", true));
    assertStatus(Status.ALREADY_EXISTS, () -> ns.mkdir("/f", true));
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.mkdir("/a/../b", true));
  }

  @Test
  void mkdirRecursiveCreatesParentsAndAcceptsExisting() throws Exception {
    FileInfo c = ns.mkdir("/a/b/c", true);
    assertEquals("c", c.getName());
    assertEquals(ns.stat("/a/b").getId(), c.getParentId());
    assertEquals(4, ns.store.inodeCount());
    long index = ns.index;
    assertEquals(c, ns.mkdir("/a/b/c", true));
    assertEquals(ns.stat("/a").getId(), ns.mkdir("/a", true).getId());
    assertEquals(index, ns.index, "an existing directory needs no journal entry");
    assertEquals(NamespaceStore.ROOT_ID, ns.mkdir("/", true).getId());
    assertEquals(3, ns.stat("/a").getNlink());
  }

  @Test
  void createMakesIncompleteFile() throws Exception {
    ns.mkdir("/d", false);
    FileInfo f = ns.create("/d/f");
    assertEquals(FileType.FILE, f.getType());
    assertFalse(f.getComplete());
    assertEquals(NamespaceFixture.BLOCK_SIZE, f.getBlockSize());
    assertEquals(1, f.getReplicas());
    assertEquals(0644, f.getMode());
    assertEquals(0, f.getLength());
    assertEquals(f, ns.stat("/d/f"));
    assertEquals(2, ns.stat("/d").getNlink(), "files do not add links to their directory");
    FileInfo g = ns.create(CreateFileRequest.newBuilder().setPath("/g").setBlockSize(4096).setReplicas(3)
        .setMode(0600).build()).getInfo();
    assertEquals(4096, g.getBlockSize());
    assertEquals(3, g.getReplicas());
    assertEquals(0600, g.getMode());
  }

  @Test
  void createErrors() throws Exception {
    ns.mkdir("/d", false);
    ns.create("/f");
    assertStatus(Status.ALREADY_EXISTS, () -> ns.create("/f"));
    assertStatus(Status.IS_DIRECTORY, () -> ns.create("/d"));
    assertStatus(Status.IS_DIRECTORY,
        () -> ns.create(CreateFileRequest.newBuilder().setPath("/d").setOverwrite(true).build()));
    assertStatus(Status.IS_DIRECTORY, () -> ns.create("/"));
    assertStatus(Status.NOT_FOUND, () -> ns.create("/x/f"));
    assertStatus(Status.NOT_DIRECTORY, () -> ns.create("/f/g"));
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.create("/d/"));
    assertStatus(Status.INVALID_ARGUMENT,
        () -> ns.create(CreateFileRequest.newBuilder().setPath("/r").setReplicas(-1).build()));
    assertStatus(Status.INVALID_ARGUMENT,
        () -> ns.create(CreateFileRequest.newBuilder().setPath("/r").setBlockSize(-5).build()));
  }

  @Test
  void createRecursiveMakesParents() throws Exception {
    FileInfo f = ns.create(CreateFileRequest.newBuilder().setPath("/p/q/f").setRecursive(true).build()).getInfo();
    FileInfo q = ns.stat("/p/q");
    assertEquals(FileType.DIRECTORY, q.getType());
    assertEquals(q.getId(), f.getParentId());
    assertEquals(0755, q.getMode());
  }

  @Test
  void overwriteReplacesTheInodeAndReturnsOldBlocks() throws Exception {
    FileInfo old = ns.writeFile("/f", 2);
    ApplyResult r = ns.create(CreateFileRequest.newBuilder().setPath("/f").setOverwrite(true).build());
    assertNotEquals(old.getId(), r.getInfo().getId());
    assertEquals(List.of(BlockIds.of(old.getId(), 0), BlockIds.of(old.getId(), 1)), r.getRemovedBlockIdsList());
    assertFalse(ns.stat("/f").getComplete());
    assertEquals(2, ns.store.inodeCount());
    assertFalse(ns.store.reader().inode(old.getId()).isPresent());
  }
}
