package io.sluice.tests.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import io.sluice.fuse.FuseKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Owners, modes, times, symbolic links, xattrs and permission checks through a real FUSE mount, with real programs
 * (coreutils, python3 for xattrs, setpriv to act as another user). The mount allows other users, so the kernel's
 * permission checks ({@code default_permissions}) are what stands between them and the files.
 */
class FuseMetadataTest {
  /** {@code nobody}: a user other than the mount's (root) that every Linux host has. */
  private static final String AS_NOBODY = "setpriv --reuid=65534 --regid=65534 --clear-groups ";

  @TempDir
  static Path tmp;

  private static FuseCluster cluster;
  private static Path mnt;

  private Path work;
  private String sluiceDir;

  @BeforeAll
  static void mount() throws Exception {
    FuseRequirement.assumeFuse();
    // Another user must reach the mount point: JUnit makes its temp directory 0700.
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    cluster = new FuseCluster(tmp.resolve("cluster"), FuseKeys.ALLOW_OTHER.name(), "true").start();
    mnt = cluster.mount(tmp.resolve("mnt"));
  }

  @AfterAll
  static void unmount() throws Exception {
    if (cluster != null) {
      cluster.close();
      assertFalse(io.sluice.fuse.MountTable.isMounted(mnt), "still mounted after close");
    }
  }

  @BeforeEach
  void workDir(TestInfo info) throws IOException {
    String name = info.getTestMethod().orElseThrow().getName();
    work = Files.createDirectory(mnt.resolve(name));
    sluiceDir = "/" + name;
  }

  private static Shell.Result ok(Path cwd, String script) throws Exception {
    Shell.Result r = Shell.bash(cwd, script);
    assertEquals(0, r.code(), script + "\n" + r);
    return r;
  }

  private static Shell.Result fails(Path cwd, String script, String message) throws Exception {
    Shell.Result r = Shell.bash(cwd, script);
    assertNotEquals(0, r.code(), script + "\n" + r);
    assertTrue(r.err().contains(message), script + ": expected '" + message + "'\n" + r);
    return r;
  }

  @Test
  void chmodChownAndTouchShowInStat() throws Exception {
    ok(work, "echo data > f && mkdir d");
    ok(work, "chmod 640 f && chown nobody:nogroup f && touch -d '2020-01-02 03:04:05 UTC' f");
    assertEquals("640 nobody nogroup 1577934245\n", ok(work, "stat -c '%a %U %G %Y' f").out());
    FileInfo f = cluster.client().getStatus(sluiceDir + "/f");
    assertEquals(0640, f.getMode());
    assertEquals("nobody", f.getOwner());
    assertEquals("nogroup", f.getGroup());
    assertEquals(1577934245000L, f.getMtimeMs());
    // Sticky and set-gid bits on a directory; a group change alone (-1 owner).
    ok(work, "chmod 3775 d && chgrp nogroup d");
    assertEquals("3775 root nogroup drwxrwsr-t\n", ok(work, "stat -c '%a %U %G %A' d").out());
    // An id without a local name is kept as its number.
    ok(work, "chown 12345:23456 f");
    assertEquals("12345 23456\n", ok(work, "stat -c '%u %g' f").out());
    assertEquals("12345", cluster.client().getStatus(sluiceDir + "/f").getOwner());
    // One time alone (libfuse drops it unless the mount sets flag_utime_omit_ok): the other stays.
    ok(work, "touch -a -d '2021-01-01 00:00:00 UTC' f");
    assertEquals("1609459200 1577934245\n", ok(work, "stat -c '%X %Y' f").out());
    ok(work, "touch -m -d '2022-01-01 00:00:00 UTC' f");
    assertEquals("1609459200 1640995200\n", ok(work, "stat -c '%X %Y' f").out());
    // touch with no time: both now, by the master's clock.
    ok(work, "touch f");
    for (String t : ok(work, "stat -c '%X %Y' f").out().trim().split(" ")) {
      assertTrue(Math.abs(Long.parseLong(t) - System.currentTimeMillis() / 1000) < 60, t);
    }
    // chmod 000 is 000, not a default; so is what a umask of 777 creates.
    ok(work, "chmod 000 f && (umask 777 && touch z && mkdir zd) && (umask 027 && mkdir m && touch n)");
    assertEquals("0 0 0 750 640\n", ok(work, "stat -c '%a' f z zd m n | paste -sd' '").out());
  }

  @Test
  void symbolicLinksAreCreatedReadAndFollowed() throws Exception {
    ok(work, "mkdir sub && echo 'through the link' > sub/target && ln -s sub/target link && ln -s ../sub up");
    assertEquals("sub/target\n", ok(work, "readlink link").out());
    assertEquals("through the link\n", ok(work, "cat link").out());
    assertEquals("symbolic link 10 777\n", ok(work, "stat -c '%F %s %a' link").out());
    // A link to a directory, relative to the link's own directory.
    ok(work, "mkdir other");
    assertEquals("through the link\n", ok(work, "cd other && ln -s ../sub s && cat s/target").out());
    FileInfo link = cluster.client().getStatus(sluiceDir + "/link");
    assertEquals(FileType.SYMLINK, link.getType());
    assertEquals("sub/target", link.getSymlinkTarget());
    // Dangling: the link exists, following it does not; ls -l shows the arrow.
    ok(work, "ln -s nowhere dangling");
    fails(work, "cat dangling", "No such file or directory");
    assertTrue(ok(work, "ls -l dangling").out().contains("dangling -> nowhere"));
    fails(work, "ln -s x link", "File exists");
    // A long target round-trips whole (readlink's buffer is PATH_MAX).
    String longTarget = "d/".repeat(1000) + "end";
    ok(work, "ln -s " + longTarget + " long");
    assertEquals(longTarget + "\n", ok(work, "readlink long").out());
    ok(work, "rm link && test ! -e link && test -e sub/target");
  }

  /**
   * Names are UTF-8 text: any Unicode name round-trips byte for byte (the JVM decodes what libfuse passes as UTF-8
   * whatever the locale); a new name whose bytes are not UTF-8 is refused with EILSEQ (it would arrive as U+FFFD, so
   * two such names would be one file), one over 255 bytes with ENAMETOOLONG, as on a local file system; nothing
   * refused is made. (A rename's target is checked for its length only: see NamespaceCallbacks.rename.)
   */
  @Test
  void unicodeNamesRoundTripAndNamesThatAreNotUtf8OrTooLongAreRefused() throws Exception {
    String script = String.join("\n",
        "import errno, os",
        "def err(f):",
        "    try:",
        "        f()",
        "        return 'OK'",
        "    except OSError as e:",
        "        return errno.errorcode[e.errno]",
        "good = ['café', 'Ünïcode 😀', 'new\\nline', 'é' * 127 + 'a']",
        "for n in good:",
        "    open(n, 'w').write(n)",
        "os.mkdir('dir é')",
        "open(b'src', 'w').close()",
        "bad = b'caf\\xe9'",
        "print(err(lambda: open(bad, 'w')), err(lambda: os.mkdir(bad)), err(lambda: os.symlink(b'x', bad)),",
        "      err(lambda: os.symlink(bad, b'link')), err(lambda: os.link(b'src', bad)),",
        "      err(lambda: os.setxattr(b'src', b'user.' + bad, b'v')))",
        "bad_long = b'\\xe9' * 100",  // 100 bytes, but 300 as the U+FFFD they arrive as
        "print(err(lambda: os.stat(bad_long)), err(lambda: open(bad_long, 'w')))",
        "long = b'a' * 256",
        "print(err(lambda: open(long, 'w')), err(lambda: os.mkdir(long)), err(lambda: os.rename(b'src', long)))",
        "print(sorted(os.listdir('.')) == sorted(good + ['dir é', 'src']), [open(n).read() == n for n in good])");
    Shell.Result r = ok(work, "python3 - <<'EOF'\n" + script + "\nEOF");
    assertEquals("EILSEQ EILSEQ EILSEQ EILSEQ EILSEQ EILSEQ\nENOENT EILSEQ\nENAMETOOLONG ENAMETOOLONG ENAMETOOLONG\n"
        + "True [True, True, True, True]\n", r.out(), r.toString());
    // The master has the names exactly as written.
    java.util.Set<String> names = new java.util.TreeSet<>();
    for (FileInfo f : cluster.client().listStatus(sluiceDir)) {
      names.add(f.getName());
    }
    assertEquals(new java.util.TreeSet<>(java.util.List.of("café", "Ünïcode 😀", "new\nline",
        "é".repeat(127) + "a", "dir é", "src")), names);
  }

  /**
   * readdir hands out each entry's inode number and type (d_ino, d_type) from the listing, read here with libc's
   * readdir through ctypes: what find, ls and os.walk use to tell files from directories without a stat of each.
   */
  @Test
  void readdirGivesEachEntrysInodeNumberAndType() throws Exception {
    ok(work, "mkdir d && echo x > f && ln -s f s");
    String script = String.join("\n",
        "import ctypes, ctypes.util, os",
        "class Dirent(ctypes.Structure):",
        "    _fields_ = [('ino', ctypes.c_uint64), ('off', ctypes.c_int64), ('reclen', ctypes.c_ushort),",
        "                ('type', ctypes.c_ubyte), ('name', ctypes.c_char * 256)]",
        "libc = ctypes.CDLL(ctypes.util.find_library('c'))",
        "libc.opendir.restype = ctypes.c_void_p",
        "libc.readdir.argtypes = [ctypes.c_void_p]",
        "libc.readdir.restype = ctypes.POINTER(Dirent)",
        "libc.closedir.argtypes = [ctypes.c_void_p]",
        "dirp = libc.opendir(b'.')",
        "rows = []",
        "while True:",
        "    e = libc.readdir(dirp)",
        "    if not e:",
        "        break",
        "    name = e.contents.name.decode()",
        "    if name not in ('.', '..'):",
        "        rows.append('%s %d %d %d' % (name, e.contents.type, e.contents.ino, os.lstat(name).st_ino))",
        "libc.closedir(dirp)",
        "print('\\n'.join(sorted(rows)))");
    String[] rows = ok(work, "python3 - <<'EOF'\n" + script + "\nEOF").out().split("\n");
    assertEquals(3, rows.length, String.join("\n", rows));
    // DT_DIR 4, DT_REG 8, DT_LNK 10; the number is the master's inode id, as stat shows it.
    String[] types = {"d 4", "f 8", "s 10"};
    for (int i = 0; i < 3; i++) {
      String[] row = rows[i].split(" ");
      assertEquals(types[i], row[0] + " " + row[1], rows[i]);
      long id = cluster.client().getStatus(sluiceDir + "/" + row[0]).getId();
      assertEquals(id + " " + id, row[2] + " " + row[3], rows[i]);
    }
  }

  /**
   * Through python3's os.*xattr (no attr package needed) and ctypes for the raw size-query protocol that
   * getfattr and libattr use.
   */
  @Test
  void extendedAttributes() throws Exception {
    ok(work, "echo x > f");
    String script = String.join("\n",
        "import ctypes, errno, os, sys",
        "p = 'f'",
        "def err(fn):",
        "    try:",
        "        fn()",
        "        return 'ok'",
        "    except OSError as e:",
        "        return errno.errorcode[e.errno]",
        "os.setxattr(p, 'user.color', b'blue')",
        "os.setxattr(p, 'user.big', b'v' * 10000)",
        "print(os.getxattr(p, 'user.color').decode(), len(os.getxattr(p, 'user.big')))",
        "print(sorted(os.listxattr(p)))",
        "print(err(lambda: os.getxattr(p, 'user.missing')))",
        "print(err(lambda: os.setxattr(p, 'user.color', b'red', os.XATTR_CREATE)))",
        "print(err(lambda: os.setxattr(p, 'user.new', b'n', os.XATTR_REPLACE)))",
        "os.setxattr(p, 'user.color', b'red', os.XATTR_REPLACE)",
        "print(os.getxattr(p, 'user.color').decode())",
        "libc = ctypes.CDLL(None, use_errno=True)",
        "print(libc.getxattr(b'f', b'user.color', None, 0))",
        "buf = ctypes.create_string_buffer(2)",
        "print(libc.getxattr(b'f', b'user.color', buf, 2), errno.errorcode[ctypes.get_errno()])",
        "print(libc.listxattr(b'f', None, 0))",
        "print(libc.listxattr(b'f', buf, 2), errno.errorcode[ctypes.get_errno()])",
        "os.removexattr(p, 'user.color')",
        "print(err(lambda: os.getxattr(p, 'user.color')), err(lambda: os.removexattr(p, 'user.color')))",
        "print(err(lambda: os.getxattr('nothing', 'user.color')))");
    Files.writeString(work.getParent().resolve("xattrs.py"), script);
    String out = ok(work, "python3 ../xattrs.py").out();
    assertEquals(String.join("\n",
        "blue 10000",
        "['user.big', 'user.color']",
        "ENODATA",
        "EEXIST",
        "ENODATA",
        "red",
        "3",
        "-1 ERANGE",
        "20",
        "-1 ERANGE",
        "ENODATA ENODATA",
        "ENOENT") + "\n", out);
    assertFalse(cluster.client().getXattrs(sluiceDir + "/f").containsKey("user.color"));
    assertEquals(10000, cluster.client().getXattrs(sluiceDir + "/f").get("user.big").length);
  }

  /**
   * The master sees every request as root, the mount's user; only the kernel, from the mode and owner the mount
   * reports, can refuse another local user.
   */
  @Test
  void anotherUserIsRefusedWhatTheModeForbids() throws Exception {
    ok(work, "echo secret > secret && chmod 600 secret && echo public > public && mkdir rootdir "
        + "&& chmod 755 rootdir && mkdir shared && chmod 1777 shared");
    // allow_other works: nobody reads what everyone may.
    assertEquals("public\n", ok(work, AS_NOBODY + "cat public").out());
    fails(work, AS_NOBODY + "cat secret", "Permission denied");
    fails(work, AS_NOBODY + "touch rootdir/x", "Permission denied");
    fails(work, AS_NOBODY + "chmod 777 secret", "Operation not permitted");
    assertFalse(Files.exists(work.resolve("rootdir/x")));
    // What nobody makes is nobody's, so nobody may later write it, and root's own file stays root's.
    ok(work, AS_NOBODY + "sh -c 'echo mine > shared/n && mkdir shared/nd && ln -s n shared/nl'");
    assertEquals("nobody nogroup\nnobody nogroup\nnobody nogroup\n",
        ok(work, "stat -c '%U %G' shared/n shared/nd && stat -c '%U %G' shared/nl").out());
    assertEquals("nobody", cluster.client().getStatus(sluiceDir + "/shared/n").getOwner());
    ok(work, AS_NOBODY + "sh -c 'echo again > shared/n'");
    assertEquals("again\n", ok(work, "cat shared/n").out());
    // Truncating rewrote the inode; it is still nobody's.
    assertEquals("nobody\n", ok(work, "stat -c '%U' shared/n").out());
    // The sticky directory: nobody may not remove root's file in it.
    ok(work, "echo r > shared/roots");
    fails(work, AS_NOBODY + "rm -f shared/roots", "Operation not permitted");
  }
}
