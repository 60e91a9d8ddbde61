package io.sluice.tests.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceOutputStream;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.MasterMethod;
import io.sluice.fuse.MountOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mount answers the lookups and xattr probes that follow a directory listing ({@code ls -l}, {@code find}) from
 * the statuses the listing brought, not with a master call per entry, and still shows every change made through it
 * at once and a change made elsewhere after the TTL. Master calls are counted on the master's own /metrics.
 */
class FuseStatusCacheTest {
  private static final int FILES = 200;

  @TempDir
  Path dir;

  @Test
  void aListedDirectoryIsStatAndProbedWithoutAMasterCallPerEntry() throws Exception {
    List<Double> calls = masterCallsToStatAListedDirectory("60s");
    // A few lookups of the directory itself (each time the kernel's entry for it expires), none per entry.
    assertTrue(calls.get(0) <= 5, "status calls: " + calls);
    assertEquals(0.0, calls.get(1), "xattr calls: " + calls);
  }

  @Test
  void withTheCacheOffEveryEntryCostsMasterCalls() throws Exception {
    // The control for the test above: the same steps ask the master about every entry.
    List<Double> calls = masterCallsToStatAListedDirectory("0s");
    assertTrue(calls.get(0) >= FILES, "status calls: " + calls);
    assertTrue(calls.get(1) >= FILES, "xattr calls: " + calls);
  }

  /**
   * libfuse asks for a new file's attributes within the create: the handle answers from what the create returned;
   * and the kernel asks for the directory's again after every create (to check the next one's permission): the
   * mount answers from the directory's status it kept, with the times the create gave it. So creates cost the master
   * no status call each; the attributes are the new file's own, a mode the create could not set (0) is not taken
   * from it, and the directory shows the times the master gave it.
   */
  @Test
  void aCreateAsksTheMasterNoStatusOfTheNewFileNorOfItsDirectory() throws Exception {
    FuseRequirement.assumeFuse();
    try (FuseCluster cluster = new FuseCluster(dir, "sluice.master.http.port", "0",
        "sluice.fuse.status.cache.ttl", "60s").start()) {
      cluster.client().mkdir("/d", false);
      Path mnt = cluster.mount(dir.resolve("mnt"));
      double status = cluster.masterCalls(MasterMethod.GET_STATUS_VALUE);
      Shell.Result r = Shell.bash(mnt, String.join("\n", "python3 - <<'PY'",
          "import os, stat",
          "wrong = []",
          "for i in range(" + FILES + "):",
          "    fd = os.open('d/n%d' % i, os.O_CREAT | os.O_WRONLY, 0o640)",
          "    st = os.fstat(fd)",
          "    if (stat.S_IMODE(st.st_mode), st.st_size, st.st_uid) != (0o640, 0, os.getuid()):",
          "        wrong.append((i, oct(st.st_mode), st.st_size))",
          "    os.close(fd)",
          "old = os.umask(0o777)",
          "fd = os.open('d/zero', os.O_CREAT | os.O_WRONLY, 0o666)",
          "os.umask(old)",
          "if stat.S_IMODE(os.fstat(fd).st_mode) != 0:",
          "    wrong.append(('zero', oct(os.fstat(fd).st_mode)))",
          "os.close(fd)",
          "print(wrong)",
          "PY"));
      assertEquals(0, r.code(), r.toString());
      assertEquals("[]", r.out().strip(), "files whose attributes were not as created");
      double calls = cluster.masterCalls(MasterMethod.GET_STATUS_VALUE) - status;
      assertTrue(calls <= 10, "status calls for " + FILES + " creates: " + calls);
      FileInfo master = cluster.client().getStatus("/d");
      Path d = mnt.resolve("d");
      assertEquals(master.getMtimeMs(), Files.getLastModifiedTime(d).toMillis(), "the directory's mtime");
      assertEquals(master.getCtimeMs(), ((FileTime) Files.getAttribute(d, "unix:ctime")).toMillis(),
          "the directory's ctime");
    }
  }

  /**
   * The kernel probes a file for {@code security.capability} before every WRITE (to drop file capabilities on a
   * write): the mount answers from what the master said moments ago, so a long write does not cost a master call per
   * write request; and an xattr set through the mount meanwhile shows at once.
   */
  @Test
  void writesAreNotEachProbedAtTheMaster() throws Exception {
    FuseRequirement.assumeFuse();
    try (FuseCluster cluster = new FuseCluster(dir, "sluice.master.http.port", "0",
        "sluice.fuse.status.cache.ttl", "60s").start()) {
      cluster.client().mkdir("/d", false);
      Path mnt = cluster.mount(dir.resolve("mnt"));
      double xattrs = cluster.masterCalls(MasterMethod.GET_XATTRS_VALUE);
      double writes = fuseWrites(cluster);
      double probes = noXattrAnswers(cluster);
      Shell.Result r = Shell.bash(mnt, String.join("\n", "python3 - <<'PY'",
          "import os",
          "fd = os.open('d/big', os.O_CREAT | os.O_WRONLY, 0o644)",
          "for i in range(" + FILES + "):",
          "    os.write(fd, bytes([i % 256]) * 65536)",
          "os.setxattr('d/big', 'user.label', b'red')",
          "os.write(fd, b'tail')",
          "print(os.getxattr('d/big', 'user.label'))",
          "os.close(fd)",
          "print(os.stat('d/big').st_size)",
          "PY"));
      assertEquals(0, r.code(), r.toString());
      assertEquals("b'red'\n" + (FILES * 65536L + 4), r.out().strip());
      double written = fuseWrites(cluster) - writes;
      assertTrue(written > FILES, "WRITE requests: " + written);
      double probed = noXattrAnswers(cluster) - probes;
      assertTrue(probed >= FILES, "the kernel's probes the mount answered: " + probed);
      double calls = cluster.masterCalls(MasterMethod.GET_XATTRS_VALUE) - xattrs;
      // None before the setxattr (the create said the new file has none); after it, the next write's probe and the
      // get ask (the file now has an xattr, so neither answer is kept as "none").
      assertTrue(calls <= 2, "xattr calls for " + written + " writes: " + calls);
    }
  }

  private static double fuseWrites(FuseCluster cluster) throws Exception {
    return cluster.mountMetric("sluice_fuse_op_seconds_count", "op", "write", "outcome", "ok");
  }

  private static double noXattrAnswers(FuseCluster cluster) throws Exception {
    return cluster.mountMetric("sluice_fuse_op_seconds_count", "op", "getxattr", "outcome", "ENODATA");
  }

  /** GET_STATUS and GET_XATTRS calls the master answered while the mount's files were stat and probed, as ls -l. */
  private List<Double> masterCallsToStatAListedDirectory(String ttl) throws Exception {
    FuseRequirement.assumeFuse();
    try (FuseCluster cluster = new FuseCluster(dir, "sluice.master.http.port", "0",
        "sluice.fuse.status.cache.ttl", ttl).start()) {
      SluiceClient client = cluster.client();
      client.mkdir("/d", false);
      for (int i = 0; i < FILES; i++) {
        try (SluiceOutputStream out = client.create("/d/f" + i)) {
          out.write(i);
        }
      }
      Path mnt = cluster.mount(dir.resolve("mnt"));
      double status = cluster.masterCalls(MasterMethod.GET_STATUS_VALUE);
      double xattrs = cluster.masterCalls(MasterMethod.GET_XATTRS_VALUE);

      // What ls -l does (without opening any file): list, then lstat and probe each entry for an xattr.
      Shell.Result r = Shell.bash(mnt, String.join("\n", "python3 - <<'PY'",
          "import errno, os",
          "names = os.listdir('d')",
          "sizes = [os.lstat('d/' + n).st_size for n in names]",
          "def probe(n):",
          "    try:",
          "        os.getxattr('d/' + n, 'user.label', follow_symlinks=False)",
          "        return 'ok'",
          "    except OSError as e:",
          "        return errno.errorcode[e.errno]",
          "print(len(names), sorted(set(sizes)), sorted(set(probe(n) for n in names)))",
          "PY"));
      assertEquals(0, r.code(), r.toString());
      assertEquals(FILES + " [1] ['ENODATA']", r.out().strip());
      return List.of(cluster.masterCalls(MasterMethod.GET_STATUS_VALUE) - status,
          cluster.masterCalls(MasterMethod.GET_XATTRS_VALUE) - xattrs);
    }
  }

  @Test
  void changesThroughTheMountShowAtOnceAndChangesElsewhereAfterTheTtl() throws Exception {
    FuseRequirement.assumeFuse();
    // The kernel keeps no attributes or names of its own here, so every stat reaches the mount's statuses, which
    // age on this test's clock.
    AtomicLong clock = new AtomicLong(1_000_000_000L);
    try (FuseCluster cluster = new FuseCluster(dir, "sluice.fuse.status.cache.ttl", "500ms",
        "sluice.fuse.attr.timeout", "0s", "sluice.fuse.entry.timeout", "0s").start()) {
      SluiceClient client = cluster.client();
      client.mkdir("/d", false);
      client.mkdir("/d/sub", false);
      try (SluiceOutputStream out = client.create("/d/f")) {
        out.write(new byte[] {1, 2, 3});
      }
      Path mnt = cluster.mount(dir.resolve("mnt"), MountOptions.from(cluster.conf()).withStatusClock(clock::get));
      Path d = mnt.resolve("d");
      Path f = d.resolve("f");
      listAndStat(d);

      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));

      UserDefinedFileAttributeView x = Files.getFileAttributeView(f, UserDefinedFileAttributeView.class);
      x.write("color", StandardCharsets.UTF_8.encode("blue"));
      assertEquals(List.of("color"), x.list(), "the listed status said no xattrs; the write made it stale");
      ByteBuffer value = ByteBuffer.allocate(16);
      x.read("color", value);
      assertEquals("blue", new String(value.array(), 0, value.position(), StandardCharsets.UTF_8));

      listAndStat(d);
      Files.write(f, new byte[] {4, 5}, StandardOpenOption.APPEND);
      assertEquals(5, Files.size(f));
      assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, Files.readAllBytes(f));

      listAndStat(d);
      Files.move(d.resolve("sub"), d.resolve("moved"));
      assertFalse(Files.exists(d.resolve("sub")));
      assertTrue(Files.isDirectory(d.resolve("moved")));

      // Another client's change: this mount answers from what it listed until the TTL runs out, then sees it.
      listAndStat(d);
      client.setMode("/d/f", 0640);
      clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(499));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), "within the TTL");
      clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
      assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), "at the TTL");
    }
  }

  private static void listAndStat(Path d) throws Exception {
    try (Stream<Path> s = Files.list(d)) {
      for (Path p : s.toList()) {
        Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      }
    }
  }
}
