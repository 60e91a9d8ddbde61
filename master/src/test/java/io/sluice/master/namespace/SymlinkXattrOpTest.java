package io.sluice.master.namespace;

import static io.sluice.master.namespace.StatusAssert.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.SetXattrRequest.Mode;
import io.sluice.common.proto.Status;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SymlinkXattrOpTest {
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
  void aSymlinkStoresItsTargetAndIsNeverFollowed() throws Exception {
    ns.mkdir("/d", false);
    FileInfo link = ns.symlink("/d/link", "../some/where");
    assertEquals(FileType.SYMLINK, link.getType());
    assertEquals("../some/where", link.getSymlinkTarget());
    assertEquals(13, link.getLength(), "a link's size is its target's length, as lstat");
    assertEquals(0777, link.getMode());
    assertEquals(link, ns.stat("/d/link"));
    assertEquals(List.of("link"), ns.names("/d"));
    ns.symlink("/d/up", "/d");
    assertStatus(Status.NOT_DIRECTORY, () -> ns.stat("/d/up/link"));  // the master does not follow links
    assertStatus(Status.ALREADY_EXISTS, () -> ns.symlink("/d/link", "x"));
    assertStatus(Status.NOT_FOUND, () -> ns.symlink("/nodir/l", "x"));
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.symlink("/d/empty", ""));
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.symlink("/d/long", "x".repeat(4097)));
    ns.rename("/d/link", "/moved");
    assertEquals("../some/where", ns.stat("/moved").getSymlinkTarget());
    ns.delete("/moved", false);
    assertStatus(Status.NOT_FOUND, () -> ns.stat("/moved"));
  }

  @Test
  void creatingASymlinkNeedsWriteOnTheParent() throws Exception {
    ns.mkdir("/locked", false);
    ns.caller = new Caller("bob", Set.of(), false);
    assertStatus(Status.PERMISSION_DENIED, () -> ns.symlink("/locked/l", "x"));
  }

  @Test
  void xattrsFollowLinuxCreateReplaceAndRemoveRules() throws Exception {
    ns.create("/f");
    ns.setXattr("/f", "user.color", "blue", Mode.ANY);
    ns.setXattr("/f", "user.size", "L", Mode.CREATE);
    assertStatus(Status.ALREADY_EXISTS, () -> ns.setXattr("/f", "user.size", "M", Mode.CREATE));
    assertStatus(Status.NOT_FOUND, () -> ns.setXattr("/f", "user.none", "x", Mode.REPLACE));
    ns.setXattr("/f", "user.size", "XL", Mode.REPLACE);
    assertEquals(Map.of("user.color", "blue", "user.size", "XL"), ns.xattrs("/f"));
    assertEquals(2, ns.stat("/f").getXattrCount());
    ns.removeXattr("/f", "user.color");
    assertStatus(Status.NOT_FOUND, () -> ns.removeXattr("/f", "user.color"));
    assertEquals(Map.of("user.size", "XL"), ns.xattrs("/f"));
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.setXattr("/f", "color", "x", Mode.ANY));
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.setXattr("/f", "user.", "x", Mode.ANY));
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.setXattr("/f", "user." + "n".repeat(300), "x", Mode.ANY));
    assertStatus(Status.INVALID_ARGUMENT, () -> ns.setXattr("/f", "user.big", "v".repeat(65537), Mode.ANY));
    ns.setXattr("/f", "user.a", "v".repeat(65536), Mode.ANY);
    ns.setXattr("/f", "user.b", "v".repeat(65536), Mode.ANY);
    ns.setXattr("/f", "user.c", "v".repeat(65536), Mode.ANY);
    assertStatus(Status.NO_SPACE, () -> ns.setXattr("/f", "user.d", "v".repeat(65536), Mode.ANY));
    assertStatus(Status.NOT_FOUND, () -> ns.xattrs("/missing"));
  }

  @Test
  void userXattrsNeedWriteToChangeAndReadToSeeOthersNeedTheSuperuser() throws Exception {
    ns.create("/f");
    ns.setXattr("/f", "user.tag", "t", Mode.ANY);
    ns.setXattr("/f", "trusted.admin", "a", Mode.ANY);
    ns.caller = new Caller("bob", Set.of(), false);
    assertStatus(Status.PERMISSION_DENIED, () -> ns.setXattr("/f", "user.tag", "mine", Mode.ANY));
    assertStatus(Status.PERMISSION_DENIED, () -> ns.removeXattr("/f", "trusted.admin"));
    assertEquals("t", ns.xattrs("/f").get("user.tag"), "the file is 0644: others may read");
    ns.caller = new Caller("alice", Set.of(), true);
    ns.setAttributes(io.sluice.common.proto.SetAttributesRequest.newBuilder().setPath("/f").setMode(0600).build());
    ns.caller = new Caller("bob", Set.of(), false);
    assertStatus(Status.PERMISSION_DENIED, () -> ns.xattrs("/f"));
  }
}
