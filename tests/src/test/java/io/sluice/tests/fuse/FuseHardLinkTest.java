package io.sluice.tests.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.sluice.client.MountOptions;
import io.sluice.client.SluiceInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hard links through a real FUSE mount, made and used by coreutils (ln, stat, rm, cat, dd) and python3's os.link
 * for the exact errno: both names are one file on the master, a change through one is read through the other, and
 * removing one leaves the other. The kernel caches the attributes of each name apart (libfuse2 gives every path its
 * own kernel inode): with the default attribute timeout, a change made through one name shows in the other's size
 * and nlink only once that name's cached attributes expire (1 s). This mount asks afresh every time, so that what
 * is checked right after a change is the master's answer, not the cache.
 */
class FuseHardLinkTest {
  @TempDir
  static Path tmp;

  private static FuseCluster cluster;
  private static Path mnt;

  private Path work;
  private String workPath;

  @BeforeAll
  static void mount() throws Exception {
    FuseRequirement.assumeFuse();
    cluster = new FuseCluster(tmp.resolve("cluster"), "sluice.fuse.attr.timeout", "0s").start();
    mnt = cluster.mount(tmp.resolve("mnt"));
  }

  @AfterAll
  static void unmount() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void workDir(TestInfo info) throws IOException {
    String name = info.getTestMethod().orElseThrow().getName();
    work = Files.createDirectory(mnt.resolve(name));
    workPath = "/" + name;
  }

  private Shell.Result ok(String script) throws Exception {
    Shell.Result r = Shell.bash(work, script);
    assertEquals(0, r.code(), script + "\n" + r);
    return r;
  }

  /** What link(2) of {@code target} to {@code path} answers: OK or the errno's name. */
  private String link(String target, String path) throws Exception {
    return ok("python3 -c \"import os, errno\ntry:\n  os.link('" + target + "', '" + path
        + "', follow_symlinks=False)\n  print('OK')\nexcept OSError as e:\n  print(errno.errorcode[e.errno])\"")
        .out().trim();
  }

  private String nlink(String... names) throws Exception {
    return ok("stat -c %h " + String.join(" ", names)).out();
  }

  /** The file as another client reads it (not through the mount). */
  private String viaClient(String name) throws IOException {
    try (SluiceInputStream in = cluster.client().open(workPath + "/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void twoNamesOneFile() throws Exception {
    ok("printf hello > a && ln a b");
    assertEquals("2\n2\n", nlink("a", "b"));
    assertEquals(cluster.client().getStatus(workPath + "/a").getId(),
        cluster.client().getStatus(workPath + "/b").getId());
    // Written through one name, read through the other: appended, changed in place, truncated and rewritten.
    ok("echo more >> b");
    assertEquals("hellomore\n", Files.readString(work.resolve("a")));
    ok("printf XY | dd of=a bs=1 seek=1 conv=notrunc status=none");
    assertEquals("hXYlomore\n", Files.readString(work.resolve("b")));
    assertEquals("hXYlomore\n", viaClient("b"));
    ok("echo new > b");
    assertEquals("new\n", Files.readString(work.resolve("a")));
    assertEquals("2\n2\n", nlink("a", "b"), "truncating through a name keeps the file's other names");
    // Removing the first name leaves the second with the content.
    ok("rm a");
    assertEquals("new\n", Files.readString(work.resolve("b")));
    assertEquals("1\n", nlink("b"));
    assertEquals(1, cluster.client().getStatus(workPath + "/b").getNlink());
    ok("rm b");
    assertEquals("", ok("ls -A").out());
  }

  @Test
  void bothNamesShowTheFilesInodeNumberSoToolsKeepTheLink() throws Exception {
    ok("printf hello > a && ln a b && printf other > c");
    long id = cluster.client().getStatus(workPath + "/a").getId();
    long other = cluster.client().getStatus(workPath + "/c").getId();
    assertEquals(id + "\n" + id + "\n" + other + "\n", ok("stat -c %i a b c").out());
    // tar and cp -a know a hard link by its inode number: the copy keeps one file with two names.
    ok("mkdir copy copy2 && tar cf - a b c | tar xf - -C copy && cp -a a b c copy2");
    for (String copy : new String[] {"copy", "copy2"}) {
      String[] inodes = ok("stat -c %i " + copy + "/a " + copy + "/b " + copy + "/c").out().split("\n");
      assertEquals(inodes[0], inodes[1], copy + ": the two names were copied as one file");
      assertNotEquals(inodes[0], inodes[2], copy);
      assertEquals("2\n2\n1\n", nlink(copy + "/a", copy + "/b", copy + "/c"), copy);
    }
  }

  @Test
  void anEmptyFileWrittenThroughItsLinkStaysOneFile() throws Exception {
    ok("touch e && ln e f && echo hi >> f");
    assertEquals("hi\n", Files.readString(work.resolve("e")));
    assertEquals("2\n", nlink("e"));
  }

  @Test
  void aSymbolicLinkIsLinkedItself() throws Exception {
    ok("ln -s somewhere s");
    assertEquals("OK", link("s", "t"));
    assertEquals("somewhere\n", ok("readlink t").out());
    assertEquals("2\n", nlink("s"));
  }

  @Test
  void whatCannotBeLinked() throws Exception {
    ok("printf x > a && printf y > taken && mkdir d");
    assertEquals("EEXIST", link("a", "taken"));
    assertEquals("y", Files.readString(work.resolve("taken")));
    assertEquals("ENOENT", link("missing", "b"));
    assertEquals("ENOENT", link("a", "nodir/b"));
    // The kernel refuses directories before asking the mount.
    assertEquals("EPERM", link("d", "d2"));
    // A UFS has no hard links: neither name may be under a mount, as on a file system without them.
    Path ufs = Files.createDirectories(tmp.resolve("ufs"));
    cluster.client().mount(workPath + "/ufs", ufs.toUri(), MountOptions.defaults());
    try {
      ok("printf z > ufs/f");
      assertEquals("EPERM", link("a", "ufs/b"));
      assertEquals("EPERM", link("ufs/f", "g"));
      assertEquals("EPERM", link("ufs/f", "ufs/g"));
      assertEquals("1\n", nlink("ufs/f"));
    } finally {
      cluster.client().unmount(workPath + "/ufs");
    }
    assertEquals("1\n", nlink("a"));
  }
}
