package io.sluice.master.namespace;

import static io.sluice.master.namespace.StatusAssert.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.common.proto.BlockMeta;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.Status;
import io.sluice.master.proto.ApplyResult;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeleteRenameOpTest {
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
  void deleteFileReturnsItsBlocks() throws Exception {
    FileInfo f = ns.writeFile("/f", 3);
    ApplyResult r = ns.delete("/f", false);
    assertEquals(List.of(BlockIds.of(f.getId(), 0), BlockIds.of(f.getId(), 1), BlockIds.of(f.getId(), 2)),
        r.getRemovedBlockIdsList());
    assertStatus(Status.NOT_FOUND, () -> ns.stat("/f"));
    assertEquals(1, ns.store.inodeCount());
  }

  @Test
  void recursiveDeleteRemovesSubtreeAndCollectsAllBlocks() throws Exception {
    ns.mkdir("/a/b/c", true);
    FileInfo f1 = ns.writeFile("/a/f1", 1);
    FileInfo f2 = ns.writeFile("/a/b/c/f2", 2);
    FileInfo open = ns.create("/a/b/open");
    ns.addBlock(open.getId(), List.of());
    ns.mkdir("/keep", false);
    assertStatus(Status.NOT_EMPTY, () -> ns.delete("/a", false));
    ApplyResult r = ns.delete("/a", true);
    assertEquals(Set.of(BlockIds.of(f1.getId(), 0), BlockIds.of(f2.getId(), 0), BlockIds.of(f2.getId(), 1),
        BlockIds.of(open.getId(), 0)), new HashSet<>(r.getRemovedBlockIdsList()));
    assertEquals(List.of("keep"), ns.names("/"));
    assertEquals(2, ns.store.inodeCount());
    assertEquals(3, ns.stat("/").getNlink());
    assertStatus(Status.NOT_FOUND, () -> ns.stat("/a/b/c/f2"));
    assertEquals(false, ns.store.reader().inode(f2.getId()).isPresent());
  }

  @Test
  void deleteErrors() throws Exception {
    assertStatus(Status.NOT_FOUND, () -> ns.delete("/nope", true));
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.delete("/", true));
    ns.create("/f");
    assertStatus(Status.NOT_DIRECTORY, () -> ns.delete("/f/x", false));
    ns.mkdir("/empty", false);
    assertEquals(List.of(), ns.delete("/empty", false).getRemovedBlockIdsList());
  }

  @Test
  void renameFile() throws Exception {
    FileInfo f = ns.writeFile("/f", 1);
    ns.mkdir("/d", false);
    FileInfo moved = ns.rename("/f", "/d/g").getInfo();
    assertEquals(f.getId(), moved.getId());
    assertEquals("g", moved.getName());
    assertEquals(f.getBlocksList(), ns.stat("/d/g").getBlocksList());
    assertStatus(Status.NOT_FOUND, () -> ns.stat("/f"));
    assertEquals(List.of("d"), ns.names("/"));
  }

  @Test
  void renameDirectoryMovesItsSubtree() throws Exception {
    ns.mkdir("/a/b", true);
    ns.mkdir("/x", false);
    FileInfo f = ns.writeFile("/a/b/f", 2);
    ns.rename("/a", "/x/a2");
    assertEquals(f.getId(), ns.stat("/x/a2/b/f").getId());
    assertEquals(List.of(BlockMeta.newBuilder().setBlockId(BlockIds.of(f.getId(), 0))
        .setLength(NamespaceFixture.BLOCK_SIZE).build(), BlockMeta.newBuilder().setBlockId(BlockIds.of(f.getId(), 1))
        .setLength(NamespaceFixture.BLOCK_SIZE).build()), ns.stat("/x/a2/b/f").getBlocksList());
    assertStatus(Status.NOT_FOUND, () -> ns.stat("/a"));
    assertEquals(3, ns.stat("/").getNlink(), "root lost /a and kept /x");
    assertEquals(3, ns.stat("/x").getNlink());
    // Rename within one directory.
    ns.rename("/x/a2", "/x/a3");
    assertEquals(List.of("a3"), ns.names("/x"));
    assertEquals(3, ns.stat("/x").getNlink());
  }

  @Test
  void renameErrors() throws Exception {
    ns.mkdir("/a/b", true);
    ns.create("/f");
    ns.create("/g");
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.rename("/a", "/a/b/c"));
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.rename("/a", "/a/x"));
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.rename("/", "/z"));
    assertStatus(Status.ALREADY_EXISTS, () -> ns.rename("/f", "/g"));
    assertStatus(Status.ALREADY_EXISTS, () -> ns.rename("/f", "/a"));
    assertStatus(Status.ALREADY_EXISTS, () -> ns.rename("/f", "/"));
    assertStatus(Status.NOT_FOUND, () -> ns.rename("/nope", "/z"));
    assertStatus(Status.NOT_FOUND, () -> ns.rename("/f", "/nodir/z"));
    assertStatus(Status.NOT_DIRECTORY, () -> ns.rename("/f", "/g/z"));
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.rename("/f", "/a/./z"));
    long index = ns.index;
    assertEquals("f", ns.rename("/f", "/f").getInfo().getName());
    assertEquals(index, ns.index, "a rename onto itself changes nothing");
  }

  @Test
  void renameReplacingAFileSwapsItAtomicallyAndReleasesTheOldBlocks() throws Exception {
    FileInfo fresh = ns.writeFile("/index.lock", 1);
    FileInfo old = ns.writeFile("/index", 2);
    long inodes = ns.store.inodeCount();
    ApplyResult r = ns.renameReplacing("/index.lock", "/index");
    assertEquals(List.of(BlockIds.of(old.getId(), 0), BlockIds.of(old.getId(), 1)), r.getRemovedBlockIdsList());
    assertEquals(fresh.getId(), ns.stat("/index").getId());
    assertEquals(fresh.getBlocksList(), ns.stat("/index").getBlocksList());
    assertStatus(Status.NOT_FOUND, () -> ns.stat("/index.lock"));
    assertEquals(inodes - 1, ns.store.inodeCount());
    assertEquals(List.of("index"), ns.names("/"));
  }

  @Test
  void renameReplacingFollowsPosixForDirectories() throws Exception {
    ns.mkdir("/a/sub", true);
    ns.mkdir("/empty", false);
    ns.mkdir("/full/x", true);
    ns.create("/f");
    assertStatus(Status.IS_DIRECTORY, () -> ns.renameReplacing("/f", "/empty"));
    assertStatus(Status.NOT_DIRECTORY, () -> ns.renameReplacing("/a", "/f"));
    assertStatus(Status.NOT_EMPTY, () -> ns.renameReplacing("/a", "/full"));
    assertStatus(Status.NOT_EMPTY, () -> ns.renameReplacing("/a/sub", "/a"));  // onto its own non-empty parent
    long rootLinks = ns.stat("/").getNlink();
    ns.renameReplacing("/a", "/empty");
    assertEquals(List.of("sub"), ns.names("/empty"));
    assertStatus(Status.NOT_FOUND, () -> ns.stat("/a"));
    assertEquals(rootLinks - 1, ns.stat("/").getNlink(), "one directory fewer under /");
    assertEquals(List.of("empty", "f", "full"), ns.names("/"));
  }
}
