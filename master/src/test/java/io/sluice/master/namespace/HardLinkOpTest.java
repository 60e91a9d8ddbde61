package io.sluice.master.namespace;

import static io.sluice.master.namespace.BlockOpsTest.block;
import static io.sluice.master.namespace.BlockVersionOpsTest.commit;
import static io.sluice.master.namespace.BlockVersionOpsTest.edit;
import static io.sluice.master.namespace.StatusAssert.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.proto.CreateFileRequest;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.LinkRequest;
import io.sluice.common.proto.MountRequest;
import io.sluice.common.proto.SetAttributesRequest;
import io.sluice.common.proto.Status;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.proto.RequestStamp;
import io.sluice.master.proto.UfsChild;
import io.sluice.master.proto.UfsSyncEntry;
import io.sluice.master.store.NamespaceReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hard links (LINK, {@link HardLinks}): one inode under several names, nlink counting them, and every way a name
 * goes (delete, rename over it, a recursive delete, an overwriting create) taking only that name, the inode and its
 * blocks leaving with the last one. On a real RocksDB store.
 */
class HardLinkOpTest {
  static final long BS = NamespaceFixture.BLOCK_SIZE;

  @TempDir
  Path dir;
  NamespaceFixture ns;

  @BeforeEach
  void open() throws Exception {
    ns = new NamespaceFixture(dir.resolve("store"));
  }

  @AfterEach
  void close() {
    ns.close();
  }

  private InodeRecord record(long id) {
    return ns.store.reader().inode(id).orElseThrow();
  }

  /** The names the reverse index holds for {@code id}, as "parentId/name". */
  private List<String> indexed(long id) {
    return ns.store.reader().links(id, 100).stream().map(n -> n.parentId() + "/" + n.name()).toList();
  }

  @Test
  void bothNamesStatTheSameInodeWithNlinkTwo() throws Exception {
    FileInfo a = ns.writeFile("/a", 2);
    FileInfo d = ns.mkdir("/d", false);
    ns.clock.advance(Duration.ofSeconds(5));
    long now = ns.clock.millis();
    FileInfo b = ns.link("/d/b", "/a");
    assertEquals(a.getId(), b.getId());
    assertEquals(2, b.getNlink());
    assertEquals("b", b.getName(), "the answer names the new link");
    assertEquals(d.getId(), b.getParentId());
    assertEquals(now, b.getCtimeMs(), "a link changes the inode's ctime");
    assertEquals(a.getMtimeMs(), b.getMtimeMs(), "but not its mtime");
    for (String p : List.of("/a", "/d/b")) {
      FileInfo s = ns.stat(p);
      assertEquals(a.getId(), s.getId(), p);
      assertEquals(2, s.getNlink(), p);
      assertEquals(a.getBlocksList(), s.getBlocksList(), p);
    }
    assertEquals("b", ns.stat("/d/b").getName());
    assertEquals("a", ns.stat("/a").getName());
    assertEquals(List.of("b"), ns.names("/d"));
    assertEquals(now, ns.stat("/d").getMtimeMs(), "the directory gained an entry");
    assertEquals(2, ns.stat("/d").getNlink(), "a file link does not count in the directory's nlink");
    assertEquals(3, ns.store.inodeCount(), "no new inode");
    assertEquals(Set.of("1/a", d.getId() + "/b"), new HashSet<>(indexed(a.getId())));
    // A third name.
    assertEquals(3, ns.link("/c", "/d/b").getNlink());
    assertEquals(3, ns.stat("/a").getNlink());
  }

  @Test
  void removingTheOriginalNameKeepsTheDataUnderTheOther() throws Exception {
    FileInfo a = ns.writeFile("/a", 2);
    ns.mkdir("/d", false);
    ns.link("/d/b", "/a");
    ns.clock.advance(Duration.ofSeconds(5));
    ApplyResult r = ns.delete("/a", false);
    assertEquals(List.of(), r.getRemovedBlockIdsList(), "blocks stay while a name is left");
    assertStatus(Status.NOT_FOUND, () -> ns.stat("/a"));
    FileInfo b = ns.stat("/d/b");
    assertEquals(1, b.getNlink());
    assertEquals(a.getBlocksList(), b.getBlocksList());
    assertEquals(ns.clock.millis(), b.getCtimeMs(), "unlinking changes ctime");
    // The record now holds the name that is left, so walking up from the inode finds a path that exists.
    InodeRecord rec = record(a.getId());
    assertEquals("b", rec.getName());
    assertEquals(ns.stat("/d").getId(), rec.getParentId());
    assertEquals(List.of(), indexed(a.getId()), "one name: out of the index");
    // The last name takes the blocks with it.
    r = ns.delete("/d/b", false);
    assertEquals(List.of(BlockIds.of(a.getId(), 0), BlockIds.of(a.getId(), 1)), r.getRemovedBlockIdsList());
    assertFalse(ns.store.reader().inode(a.getId()).isPresent());
    assertEquals(2, ns.store.inodeCount());
  }

  @Test
  void aChangeThroughOneNameIsSeenThroughTheOtherAndTheLastNameFreesItsVersions() throws Exception {
    FileInfo a = ns.writeFile("/a", 2);
    ns.link("/b", "/a");
    // A writer names the file by id: the one it got from either name.
    FileInfo viaB = ns.stat("/b");
    long v = ns.allocateVersion(viaB.getId(), 1);
    ApplyResult r = ns.commitEdit(commit(viaB, 2 * BS, edit(1, a.getBlocks(1).getBlockId(), v, BS)).build());
    assertEquals(List.of(a.getBlocks(1).getBlockId()), r.getRemovedBlockIdsList());
    assertEquals(List.of(a.getBlocks(0), block(v, BS)), ns.stat("/a").getBlocksList());
    assertEquals(2, ns.stat("/a").getNlink(), "a change keeps the names");
    // Append through /a, truncate through /b: each seen through the other.
    long v2 = ns.allocateVersion(a.getId(), 2);
    ns.commitEdit(commit(ns.stat("/a"), 2 * BS + 7, edit(2, 0, v2, 7)).build());
    assertEquals(2 * BS + 7, ns.stat("/b").getLength());
    ns.commitEdit(commit(ns.stat("/b"), BS).build());
    assertEquals(BS, ns.stat("/a").getLength());
    assertEquals(List.of(a.getBlocks(0)), ns.stat("/a").getBlocksList());
    // Attributes are the inode's too.
    ns.setAttributes(SetAttributesRequest.newBuilder().setPath("/b").setMode(0600).build());
    assertEquals(0600, ns.stat("/a").getMode());
    // The version written through a name is forgotten with the file's last name, not before.
    long v3 = ns.allocateVersion(a.getId(), 0);
    ns.commitEdit(commit(ns.stat("/b"), BS, edit(0, a.getBlocks(0).getBlockId(), v3, BS)).build());
    assertTrue(ns.store.reader().version(v3).isPresent());
    assertEquals(List.of(), ns.delete("/b", false).getRemovedBlockIdsList());
    assertTrue(ns.store.reader().version(v3).isPresent());
    assertEquals(List.of(v3), ns.delete("/a", false).getRemovedBlockIdsList());
    assertFalse(ns.store.reader().version(v3).isPresent());
  }

  @Test
  void renameOverALinkReplacesOnlyThatName() throws Exception {
    FileInfo a = ns.writeFile("/a", 1);
    ns.link("/b", "/a");
    FileInfo c = ns.writeFile("/c", 1);
    ApplyResult r = ns.renameReplacing("/c", "/b");
    assertEquals(List.of(), r.getRemovedBlockIdsList());
    assertEquals(c.getId(), ns.stat("/b").getId());
    FileInfo left = ns.stat("/a");
    assertEquals(a.getId(), left.getId());
    assertEquals(1, left.getNlink());
    assertEquals(a.getBlocksList(), left.getBlocksList());
    assertEquals(List.of(), indexed(a.getId()));
    assertEquals("a", record(a.getId()).getName());
  }

  @Test
  void renamingOneNameMovesOnlyThatOne() throws Exception {
    FileInfo a = ns.writeFile("/a", 1);
    FileInfo d = ns.mkdir("/d", false);
    ns.link("/d/x", "/a");
    // Not the name the record holds: the record stays, the index follows.
    FileInfo moved = ns.rename("/d/x", "/y").getInfo();
    assertEquals("y", moved.getName());
    assertEquals(2, moved.getNlink());
    assertEquals(List.of(), ns.names("/d"));
    assertEquals("a", record(a.getId()).getName());
    assertEquals(Set.of("1/a", "1/y"), new HashSet<>(indexed(a.getId())));
    // The name the record holds: the record follows.
    ns.rename("/a", "/d/z");
    assertEquals("z", record(a.getId()).getName());
    assertEquals(d.getId(), record(a.getId()).getParentId());
    assertEquals(Set.of(d.getId() + "/z", "1/y"), new HashSet<>(indexed(a.getId())));
    // Renaming one name of a file onto another of its names changes nothing (POSIX).
    ns.renameReplacing("/y", "/d/z");
    assertEquals(a.getId(), ns.stat("/y").getId());
    assertEquals(a.getId(), ns.stat("/d/z").getId());
    assertEquals(2, ns.stat("/y").getNlink());
    assertStatus(Status.ALREADY_EXISTS, () -> ns.rename("/y", "/d/z"));
    // Both names still work for removal.
    ns.delete("/d/z", false);
    assertEquals("y", record(a.getId()).getName());
    assertEquals(1, ns.stat("/y").getNlink());
  }

  @Test
  void recursiveDeleteOfADirectoryHoldingOneNameKeepsTheOther() throws Exception {
    ns.mkdir("/d/sub", true);
    FileInfo f = ns.writeFile("/d/sub/f", 2);
    ns.link("/keep", "/d/sub/f");
    ApplyResult r = ns.delete("/d", true);
    assertEquals(List.of(), r.getRemovedBlockIdsList());
    FileInfo kept = ns.stat("/keep");
    assertEquals(f.getId(), kept.getId());
    assertEquals(1, kept.getNlink());
    assertEquals(f.getBlocksList(), kept.getBlocksList());
    assertEquals(1, record(f.getId()).getParentId());
    assertEquals("keep", record(f.getId()).getName());
    assertEquals(2, ns.store.inodeCount());
  }

  @Test
  void recursiveDeleteOfADirectoryHoldingAllNamesDeletesTheFile() throws Exception {
    ns.mkdir("/e/sub", true);
    FileInfo f = ns.writeFile("/e/f", 1);
    ns.link("/e/sub/g", "/e/f");
    ns.link("/e/sub/h", "/e/f");
    ApplyResult r = ns.delete("/e", true);
    assertEquals(List.of(BlockIds.of(f.getId(), 0)), r.getRemovedBlockIdsList(), "once, with the last name");
    assertFalse(ns.store.reader().inode(f.getId()).isPresent());
    assertEquals(List.of(), indexed(f.getId()));
    assertEquals(1, ns.store.inodeCount());
  }

  @Test
  void anOverwritingCreateReplacesOnlyThatName() throws Exception {
    FileInfo a = ns.writeFile("/a", 1);
    ns.link("/b", "/a");
    ApplyResult r = ns.create(CreateFileRequest.newBuilder().setPath("/b").setOverwrite(true).build());
    assertEquals(List.of(), r.getRemovedBlockIdsList());
    assertNotEquals(a.getId(), ns.stat("/b").getId());
    assertEquals(1, ns.stat("/a").getNlink());
    assertEquals(a.getBlocksList(), ns.stat("/a").getBlocksList());
  }

  @Test
  void aSymbolicLinkItselfCanBeLinkedAsOnLinux() throws Exception {
    FileInfo s = ns.symlink("/s", "/nowhere");
    FileInfo t = ns.link("/t", "/s");
    assertEquals(s.getId(), t.getId());
    assertEquals(FileType.SYMLINK, ns.stat("/t").getType());
    assertEquals("/nowhere", ns.stat("/t").getSymlinkTarget());
    assertEquals(2, ns.stat("/s").getNlink());
  }

  @Test
  void errors() throws Exception {
    ns.writeFile("/a", 1);
    ns.writeFile("/exists", 0);
    ns.mkdir("/dir", false);
    assertStatus(Status.ALREADY_EXISTS, () -> ns.link("/exists", "/a"));
    assertStatus(Status.ALREADY_EXISTS, () -> ns.link("/dir", "/a"));
    assertStatus(Status.ALREADY_EXISTS, () -> ns.link("/", "/a"));
    assertStatus(Status.IS_DIRECTORY, () -> ns.link("/d2", "/dir"));
    assertStatus(Status.IS_DIRECTORY, () -> ns.link("/d2", "/"));
    assertStatus(Status.NOT_FOUND, () -> ns.link("/b", "/nope"));
    assertStatus(Status.NOT_FOUND, () -> ns.link("/nodir/b", "/a"));
    assertStatus(Status.NOT_DIRECTORY, () -> ns.link("/a/b", "/a"));
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.link("b", "/a"));
    FileInfo open = ns.create("/open");
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.link("/b", "/open"));
    ns.complete(open.getId(), List.of(), 0);
    assertEquals(2, ns.link("/b", "/open").getNlink());
    assertEquals(1, ns.stat("/a").getNlink(), "failures changed nothing");
    assertEquals(List.of(), indexed(ns.stat("/a").getId()));
  }

  @Test
  void neitherNameMayBeUnderAMount() throws Exception {
    ns.writeFile("/a", 1);
    FileInfo mnt = ns.run(MountOp.prepare(MountRequest.newBuilder().setPath("/mnt").setUfsUri("file:///nowhere")
        .build(), ns.caller, ns.ctx, 0)).getInfo();
    // A file the UFS has, loaded as a sync would.
    ns.apply(JournalEntry.newBuilder().setUfsSync(UfsSyncEntry.newBuilder().setDirPath("/mnt")
        .setDirId(mnt.getId()).setMountId(mnt.getId()).setBlockSize(BS).setOwner("root").setGroup("root")
        .setTimeMs(ns.clock.millis()).addChildren(UfsChild.newBuilder().setName("f").setLength(3).setMtimeMs(1)
            .setFingerprint("3:1").setId(ns.store.nextInodeId()))
        .addChildren(UfsChild.newBuilder().setName("sub").setDirectory(true).setId(ns.store.nextInodeId() + 1)))
        .build());
    assertEquals(FileType.FILE, ns.stat("/mnt/f").getType());
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.link("/mnt/b", "/a"));
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.link("/mnt/sub/b", "/a"));
    // A directory under the mount that is not loaded yet: still under the mount, not NOT_FOUND.
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.link("/mnt/unloaded/b", "/a"));
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.link("/b", "/mnt/f"));
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.link("/b", "/mnt/unloaded"));
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.link("/mnt/g", "/mnt/f"));
    assertEquals(1, ns.stat("/mnt/f").getNlink());
  }

  @Test
  void permissions() throws Exception {
    ns.mkdir("/home", false);
    ns.setAttributes(SetAttributesRequest.newBuilder().setPath("/home").setMode(0755).build());
    ns.mkdir("/shared", false);
    ns.setAttributes(SetAttributesRequest.newBuilder().setPath("/shared").setMode(0777).build());
    ns.mkdir("/hidden", false);
    ns.writeFile("/hidden/f", 1);
    ns.setAttributes(SetAttributesRequest.newBuilder().setPath("/hidden").setMode(0700).build());
    ns.writeFile("/a", 1);
    ns.caller = new Caller("bob", Set.of("staff"), false);
    // Write (and search) on the directory the new name goes into.
    assertStatus(Status.PERMISSION_DENIED, () -> ns.link("/home/b", "/a"));
    // Search on the way to the target.
    assertStatus(Status.PERMISSION_DENIED, () -> ns.link("/shared/b", "/hidden/f"));
    // Nothing is asked of the target itself: bob owns neither /a nor may write it.
    assertEquals(2, ns.link("/shared/b", "/a").getNlink());
    // Removing a name is removing from its directory: bob may not remove /a.
    assertStatus(Status.PERMISSION_DENIED, () -> ns.delete("/a", false));
    ns.delete("/shared/b", false);
    assertEquals(1, ns.stat("/a").getNlink());
  }

  @Test
  void aRetriedLinkGetsTheFirstOutcome() throws Exception {
    FileInfo a = ns.writeFile("/a", 1);
    JournalEntry e = LinkOp.prepare(LinkRequest.newBuilder().setPath("/b").setTarget("/a").build(), ns.caller,
        ns.ctx).entry().toBuilder().setRequest(RequestStamp.newBuilder().setClientId("client-1").setRequestId(5)
            .setTimeMs(1000)).build();
    ApplyResult first = ns.applier.apply(1, ++ns.index, e);
    // A new leader proposing the client's retry: the same stamp.
    ApplyResult retry = ns.applier.apply(2, ++ns.index, e);
    assertEquals(Status.OK, first.getStatus());
    assertEquals(first, retry, "not ALREADY_EXISTS: the retry answers what the link did");
    assertEquals(2, ns.stat("/a").getNlink(), "linked once");
    assertEquals(a.getId(), retry.getInfo().getId());
  }

  @Test
  void namesSurviveARestartAndACheckpoint() throws Exception {
    FileInfo a = ns.writeFile("/a", 1);
    ns.mkdir("/d", false);
    ns.link("/d/b", "/a");
    ns.link("/c", "/a");
    Path checkpoint = dir.resolve("checkpoint");
    ns.store.checkpoint(checkpoint);
    ns.close();
    ns = new NamespaceFixture(dir.resolve("store"));
    assertEquals(3, ns.stat("/d/b").getNlink());
    ns.delete("/a", false);
    assertEquals(2, ns.stat("/c").getNlink());
    assertEquals(2, indexed(a.getId()).size(), "the index was kept");
    // A follower installing the checkpoint taken before: all three names, with their index.
    try (NamespaceFixture follower = new NamespaceFixture(dir.resolve("follower"))) {
      follower.store.restoreFrom(checkpoint);
      follower.index = follower.store.appliedIndex();
      assertEquals(3, follower.stat("/a").getNlink());
      List<NamespaceReader.Name> names = follower.store.reader().links(a.getId(), 10);
      assertEquals(3, names.size());
      follower.delete("/a", false);
      follower.delete("/c", false);
      assertEquals("b", follower.store.reader().inode(a.getId()).orElseThrow().getName());
      assertEquals(1, follower.stat("/d/b").getNlink());
    }
  }
}
