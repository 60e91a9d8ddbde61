package io.sluice.master.namespace;

import static io.sluice.master.namespace.StatusAssert.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.proto.CreateFileRequest;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.SetAttributesRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.JournalEntry;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * POSIX permissions on every namespace operation, each with a user who may and one who may not. The superuser
 * (alice here) sets the scene: /home/bob is bob's (bob:staff 0755), /tmp is sticky and open to all (1777).
 */
class PermissionsOpTest {
  static final Caller ADMIN = new Caller("alice", Set.of(), true);
  static final Caller BOB = new Caller("bob", Set.of("staff", "dev"), false);
  static final Caller CAROL = new Caller("carol", Set.of("staff"), false);
  static final Caller EVE = new Caller("eve", Set.of("guests"), false);

  @TempDir
  Path dir;
  NamespaceFixture ns;

  @BeforeEach
  void scene() throws Exception {
    ns = new NamespaceFixture(dir);
    ns.mkdir("/home/bob", true);
    chown("/home/bob", "bob", "staff");
    ns.mkdir("/tmp", false);
    chmod("/tmp", 01777);
  }

  @AfterEach
  void close() {
    ns.close();
  }

  private FileInfo chmod(String path, int mode) throws RpcException {
    return ns.setAttributes(SetAttributesRequest.newBuilder().setPath(path).setMode(mode).build());
  }

  private void chown(String path, String owner, String group) throws RpcException {
    ns.setAttributes(SetAttributesRequest.newBuilder().setPath(path).setOwner(owner).setGroup(group).build());
  }

  /** Runs {@code op} as {@code who}, then goes back to the superuser. */
  private <T> T as(Caller who, Op<T> op) throws Exception {
    Caller before = ns.caller;
    ns.caller = who;
    try {
      return op.run();
    } finally {
      ns.caller = before;
    }
  }

  private interface Op<T> {
    T run() throws Exception;
  }

  private void denied(Caller who, Op<?> op) {
    assertStatus(Status.PERMISSION_DENIED, () -> as(who, op));
  }

  @Test
  void lookingUpANameNeedsSearchPermissionOnEveryDirectoryOnTheWay() throws Exception {
    as(BOB, () -> ns.mkdir("/home/bob/private", false));
    as(BOB, () -> ns.create("/home/bob/private/f"));
    as(BOB, () -> chmod("/home/bob/private", 0700));
    assertEquals("f", as(BOB, () -> ns.stat("/home/bob/private/f")).getName());
    denied(CAROL, () -> ns.stat("/home/bob/private/f"));
    denied(EVE, () -> ns.stat("/home/bob/private/missing"));  // EACCES before ENOENT, as POSIX
    assertEquals(0700, as(EVE, () -> ns.stat("/home/bob/private")).getMode(), "the directory itself is visible");
  }

  @Test
  void creatingNeedsWriteAndSearchOnTheParentAndInheritsItsGroup() throws Exception {
    FileInfo d = as(BOB, () -> ns.mkdir("/home/bob/d", false));
    assertEquals("bob", d.getOwner());
    assertEquals("staff", d.getGroup(), "the group is the parent's");
    denied(CAROL, () -> ns.mkdir("/home/bob/c", false));
    denied(CAROL, () -> ns.create("/home/bob/c"));
    denied(EVE, () -> ns.mkdir("/home/bob/e/f", true));
    denied(EVE, () -> ns.create("/x"));
    as(BOB, () -> chmod("/home/bob", 0775));
    assertEquals("carol", as(CAROL, () -> ns.create("/home/bob/c")).getOwner(), "group write lets staff in");
    denied(EVE, () -> ns.create("/home/bob/e"));
    assertEquals("eve", as(EVE, () -> ns.mkdir("/tmp/a/b", true)).getOwner(), "anyone may create in /tmp");
  }

  /**
   * Issue 9: an overwriting create (Hadoop's create with overwrite, FUSE's O_TRUNC) rewrites the file, so it needs
   * write permission on it, not only on its directory: bob, who may write his directory, could truncate his own
   * read-only file through a mount of his, whatever its mode said.
   */
  @Test
  void overwritingAFileNeedsWritePermissionOnItNotOnlyOnItsDirectory() throws Exception {
    CreateFileRequest overwrite = CreateFileRequest.newBuilder().setPath("/home/bob/f").setOverwrite(true).build();
    as(BOB, () -> ns.create("/home/bob/f"));
    as(BOB, () -> chmod("/home/bob/f", 0444));
    denied(BOB, () -> ns.create(overwrite));
    as(BOB, () -> chmod("/home/bob/f", 0644));
    assertEquals("bob", as(BOB, () -> ns.create(overwrite)).getInfo().getOwner());
  }

  @Test
  void theOwnerClassDecidesEvenWhenTheGroupOrOthersHaveMore() throws Exception {
    as(BOB, () -> chmod("/home/bob", 0577));  // owner r-x, group and others rwx
    denied(BOB, () -> ns.mkdir("/home/bob/d", false));
    assertEquals("carol", as(CAROL, () -> ns.mkdir("/home/bob/d", false)).getOwner());
  }

  @Test
  void listingNeedsReadAndOpeningAFileNeedsRead() throws Exception {
    as(BOB, () -> ns.create("/home/bob/secret"));
    as(BOB, () -> chmod("/home/bob/secret", 0600));
    as(BOB, () -> chmod("/home/bob", 0711));
    denied(CAROL, () -> ns.names("/home/bob"));
    assertEquals(List.of("secret"), as(BOB, () -> ns.names("/home/bob")));
    assertEquals(0600, as(CAROL, () -> ns.stat("/home/bob/secret")).getMode(), "search alone allows stat");
    denied(CAROL, () -> GetBlockLocationsOp.run(ns.store.reader(), "/home/bob/secret", b -> List.of(),
        b -> java.util.Optional.empty(), CAROL));
    assertEquals("secret", GetBlockLocationsOp.run(ns.store.reader(), "/home/bob/secret", b -> List.of(),
        b -> java.util.Optional.empty(), BOB).getInfo().getName());
  }

  @Test
  void deletingNeedsWriteOnTheParentAndTheStickyBitProtectsOthersFiles() throws Exception {
    as(BOB, () -> ns.create("/tmp/bobs"));
    as(BOB, () -> chmod("/tmp/bobs", 0666));
    denied(CAROL, () -> ns.delete("/tmp/bobs", false));
    denied(CAROL, () -> ns.rename("/tmp/bobs", "/tmp/carols"));
    as(CAROL, () -> ns.create("/tmp/carols"));
    denied(CAROL, () -> ns.renameReplacing("/tmp/carols", "/tmp/bobs"));  // replacing is removing
    as(BOB, () -> ns.renameReplacing("/tmp/bobs", "/tmp/bobs2"));
    as(CAROL, () -> chmod("/tmp/carols", 0666));
    denied(BOB, () -> ns.renameReplacing("/tmp/bobs2", "/tmp/carols"));
    as(BOB, () -> ns.rename("/tmp/bobs2", "/tmp/bobs"));
    as(BOB, () -> ns.create("/home/bob/f"));
    denied(CAROL, () -> ns.delete("/home/bob/f", false));
    as(BOB, () -> ns.delete("/tmp/bobs", false));
    ns.mkdir("/shared", false);
    chmod("/shared", 0777);
    as(BOB, () -> ns.create("/shared/bobs"));
    as(CAROL, () -> ns.delete("/shared/bobs", false));
    assertStatus(Status.NOT_FOUND, () -> ns.stat("/shared/bobs"));
  }

  @Test
  void recursiveDeleteNeedsFullPermissionOnEveryNonEmptyDirectoryAndRemovesNothingWhenDenied() throws Exception {
    as(BOB, () -> ns.mkdir("/home/bob/t/locked", true));
    as(BOB, () -> ns.create("/home/bob/t/locked/x"));
    as(BOB, () -> chmod("/home/bob/t/locked", 0500));
    long before = ns.store.inodeCount();
    denied(BOB, () -> ns.delete("/home/bob/t", true));
    assertEquals(before, ns.store.inodeCount(), "a denied delete removes nothing");
    assertEquals("x", ns.stat("/home/bob/t/locked/x").getName());
    as(BOB, () -> chmod("/home/bob/t/locked", 0700));
    as(BOB, () -> ns.delete("/home/bob/t", true));
    assertEquals(before - 3, ns.store.inodeCount());
  }

  @Test
  void renamingNeedsWriteOnBothParentsAndOnADirectoryThatChangesParent() throws Exception {
    ns.mkdir("/home/carol", false);
    chown("/home/carol", "carol", "carol");
    as(BOB, () -> ns.create("/home/bob/f"));
    denied(BOB, () -> ns.rename("/home/bob/f", "/home/carol/f"));
    as(BOB, () -> ns.rename("/home/bob/f", "/home/bob/g"));
    as(BOB, () -> ns.mkdir("/home/bob/d", false));
    as(BOB, () -> chmod("/home/bob/d", 0555));
    denied(BOB, () -> ns.rename("/home/bob/d", "/tmp/d"));
    as(BOB, () -> ns.rename("/home/bob/d", "/home/bob/d2"));  // same parent: '..' unchanged
    as(BOB, () -> chmod("/home/bob/d2", 0755));
    as(BOB, () -> ns.rename("/home/bob/d2", "/tmp/d"));
    assertEquals("d", ns.stat("/tmp/d").getName());
  }

  @Test
  void modeIsTheOwnersOwnerTheSuperusersAndGroupAMemberOwners() throws Exception {
    as(BOB, () -> ns.create("/home/bob/f"));
    denied(CAROL, () -> chmod("/home/bob/f", 0777));
    assertEquals(0640, as(BOB, () -> chmod("/home/bob/f", 0640)).getMode());
    denied(BOB, () -> { chown("/home/bob/f", "carol", "staff"); return null; });
    chown("/home/bob/f", "carol", "staff");
    assertEquals("carol", ns.stat("/home/bob/f").getOwner());
    chown("/home/bob/f", "bob", "staff");
    denied(BOB, () -> ns.setAttributes(SetAttributesRequest.newBuilder().setPath("/home/bob/f").setGroup("wheel")
        .build()));
    assertEquals("dev", as(BOB, () -> ns.setAttributes(SetAttributesRequest.newBuilder().setPath("/home/bob/f")
        .setGroup("dev").build())).getGroup(), "an owner may give the file to a group of his");
    denied(CAROL, () -> ns.setAttributes(SetAttributesRequest.newBuilder().setPath("/home/bob/f").setGroup("staff")
        .build()));
  }

  @Test
  void setTimesExplicitlyIsTheOwnersButToNowNeedsOnlyWrite() throws Exception {
    as(BOB, () -> ns.create("/home/bob/f"));
    as(BOB, () -> chmod("/home/bob/f", 0664));
    SetAttributesRequest explicit = SetAttributesRequest.newBuilder().setPath("/home/bob/f").setMtimeMs(42)
        .setAtimeMs(43).build();
    SetAttributesRequest now = SetAttributesRequest.newBuilder().setPath("/home/bob/f").setTimesNow(true).build();
    denied(CAROL, () -> ns.setAttributes(explicit));
    ns.clock.advance(java.time.Duration.ofSeconds(7));
    FileInfo touched = as(CAROL, () -> ns.setAttributes(now));
    assertEquals(ns.clock.millis(), touched.getMtimeMs());
    assertEquals(ns.clock.millis(), touched.getAtimeMs());
    denied(EVE, () -> ns.setAttributes(now));
    FileInfo set = as(BOB, () -> ns.setAttributes(explicit));
    assertEquals(42, set.getMtimeMs());
    assertEquals(43, set.getAtimeMs());
    assertEquals(ns.clock.millis(), set.getCtimeMs(), "ctime is the time of the change");
    assertStatus(Status.INVALID_ARGUMENT, () -> chmod("/home/bob/f", 010000));
  }

  @Test
  void applyChecksAgainWhatChangedAfterTheLeaderDecided() throws Exception {
    ns.mkdir("/open", false);
    chmod("/open", 0777);
    JournalEntry e = CreateFileOp.prepare(CreateFileRequest.newBuilder().setPath("/open/f").build(), BOB, ns.ctx)
        .entry();
    chmod("/open", 0755);
    assertStatus(Status.PERMISSION_DENIED, () -> ns.apply(e));
    assertStatus(Status.NOT_FOUND, () -> ns.stat("/open/f"));
    assertTrue(e.hasCaller(), "the entry carries who asked");
  }
}
