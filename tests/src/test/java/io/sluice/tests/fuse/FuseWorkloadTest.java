package io.sluice.tests.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sluice.client.SluiceInputStream;
import io.sluice.client.SluiceOutputStream;
import io.sluice.common.proto.FileInfo;
import io.sluice.fuse.FuseMount;
import io.sluice.fuse.MountTable;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workloads of real programs on a real FUSE mount: rsync of a tree (twice: the second run must find nothing to do),
 * dd of a 2 GiB file, a UFS directory of 100,000 entries listed through the mount, readers and a writer at once, and
 * a {@code sluice fuse mount} process stopped by SIGTERM while programs are using it. One in-JVM mount for the
 * class (the SIGTERM test adds its own mount process on the same cluster); each test works in its own directory.
 *
 * <p>Copied rather than shared (FuseCluster and Shell are left as they are): FuseCliTest's mount-process start and
 * probe, and Shell.run with a time limit of the caller's for the 2 GiB steps.
 */
class FuseWorkloadTest {
  private static final long GIB = 1L << 30;
  private static final long MIB = 1L << 20;

  @TempDir
  static Path tmp;

  private static FuseCluster cluster;
  private static Path mnt;

  /** This test's directory on the mount, its Sluice path, and a local scratch directory. */
  private Path work;
  private String workPath;
  private Path local;
  private long started;
  private String testName;

  /** Processes a test started (mount processes, loads), and mount points it made: ended in {@link #cleanUp()}. */
  private final List<Process> processes = new ArrayList<>();
  private final List<Path> mountPoints = new ArrayList<>();

  @BeforeAll
  static void mount() throws Exception {
    FuseRequirement.assumeFuse();
    cluster = new FuseCluster(tmp.resolve("cluster")).start();
    mnt = cluster.mount(tmp.resolve("mnt"));
  }

  @AfterAll
  static void unmount() throws Exception {
    if (cluster != null) {
      cluster.close();
      assertFalse(MountTable.isMounted(mnt), "still mounted after close");
    }
  }

  @BeforeEach
  void workDir(TestInfo info) throws IOException {
    testName = info.getTestMethod().orElseThrow().getName();
    work = Files.createDirectory(mnt.resolve(testName));
    workPath = "/" + testName;
    local = Files.createDirectories(tmp.resolve("local").resolve(testName));
    started = System.nanoTime();
  }

  @AfterEach
  void cleanUp() throws Exception {
    try {
      for (Process p : processes) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
      }
      for (Path m : mountPoints) {
        FuseMount.unmount(m);
      }
    } finally {
      System.out.printf("FuseWorkloadTest.%s took %d ms%n", testName, (System.nanoTime() - started) / 1_000_000);
    }
  }

  private static Shell.Result ok(Path cwd, String script) throws Exception {
    Shell.Result r = Shell.bash(cwd, script);
    assertEquals(0, r.code(), script + "\n" + r);
    return r;
  }

  /** {@link Shell#bash} with a time limit of its own, for steps that move gigabytes (Shell's limit is 120 s). */
  private static Shell.Result ok(Path cwd, String script, int limitSeconds) throws Exception {
    Path out = Files.createTempFile("sluice-fuse-out", ".txt");
    Path err = Files.createTempFile("sluice-fuse-err", ".txt");
    try {
      Process p = new ProcessBuilder("bash", "-c", script).directory(cwd.toFile()).redirectOutput(out.toFile())
          .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      if (!p.waitFor(limitSeconds, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new AssertionError("timed out after " + limitSeconds + "s: " + script);
      }
      Shell.Result r = new Shell.Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
      assertEquals(0, r.code(), script + "\n" + r);
      return r;
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /**
   * Waits until another client (not through the mount) sees the file complete. New files complete at the RELEASE after
   * close(2); reads wait for that completion (FuseCloseToOpenTest), but at most the master's close wait, 5 s, which a
   * loaded machine may exceed.
   */
  private static FileInfo awaitComplete(String path) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (true) {
      FileInfo f = cluster.client().getStatus(path);
      if (f.getComplete()) {
        return f;
      }
      assertTrue(System.nanoTime() < deadline, path + " not completed within 30s");
      Thread.sleep(10);
    }
  }

  /** SHA-256 of the file as another client reads it (not through the mount). */
  private static String sha256ViaClient(String path) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] b = new byte[1 << 20];
    try (SluiceInputStream in = cluster.client().open(path)) {
      for (int n; (n = in.read(b)) > 0; ) {
        md.update(b, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static String sha256(Path dir, String file, int limitSeconds) throws Exception {
    return ok(dir, "sha256sum " + file, limitSeconds).out().split(" ")[0];
  }

  /** {@code size} deterministic pseudo-random bytes (fast: a long at a time). */
  private static void writeRandom(Path file, long size, long seed) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long left = size; left > 0; ) {
        buf.clear();
        while (buf.remaining() >= 8) {
          buf.putLong(r.nextLong());
        }
        int n = (int) Math.min(left, buf.capacity());
        out.write(buf.array(), 0, n);
        left -= n;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 1. rsync -a of a tree, then a second run that finds nothing to transfer.
  // ---------------------------------------------------------------------------------------------------------------

  @Test
  void rsyncArchiveOfATreeThenASecondRunTransfersNothing() throws Exception {
    if (!ok(local, "command -v rsync || true").out().contains("rsync")) {
      if ("1".equals(System.getenv("SLUICE_REQUIRE_FUSE"))) {
        fail("rsync is not installed (.ci/run must install it)");
      }
      Assumptions.abort("rsync is not installed");
    }
    Path src = makeRsyncTree(local.resolve("src"));
    long t0 = System.nanoTime();
    // rsync writes each file to a temporary name, sets its mode and times, and renames it into place; then sets
    // the directories' times. Any complaint (a mode or a time it could not set) is a failure.
    Shell.Result first = ok(work, "rsync -a " + src + "/ dst/");
    long t1 = System.nanoTime();
    assertEquals("", first.err(), first.toString());
    ok(work, "diff -r --no-dereference " + src + " dst");
    // Modes, owners, types of everything; sizes and modification times of files and links; times of directories.
    String stat = "find . | LC_ALL=C sort | xargs stat -c '%n %F %a %U %G' && "
        + "find . ! -type d | LC_ALL=C sort | xargs stat -c '%n %s %Y' && "
        + "find . -type d | LC_ALL=C sort | xargs stat -c '%n %Y'";
    assertEquals(ok(src, stat).out(), ok(work.resolve("dst"), stat).out());
    assertEquals("a/b/c/small-7\n", ok(work, "readlink dst/link").out());
    // The second run compares sizes and times (rsync's quick check) and modes: what stuck, it leaves alone.
    long t2 = System.nanoTime();
    Shell.Result second = ok(work, "rsync -a --itemize-changes " + src + "/ dst/");
    System.out.printf("rsync: first run %d ms, second run %d ms%n", (t1 - t0) / 1_000_000,
        (System.nanoTime() - t2) / 1_000_000);
    assertEquals("", second.out(), "the second rsync changed something:\n" + second);
    assertEquals("", second.err(), second.toString());
    // And another client sees the same bytes: the big file read back not through the mount.
    assertEquals(sha256(src, "big.bin", 60), sha256ViaClient(workPath + "/dst/big.bin"));
    ok(work, "rm -r dst");
  }

  /**
   * Nested directories of distinct modes and times, 320 small files of distinct sizes, modes and times (some with
   * milliseconds), a 3 MiB file with an odd tail, an empty file and a symbolic link.
   */
  private static Path makeRsyncTree(Path root) throws IOException {
    Random r = new Random(11);
    String[] dirs = {"a", "a/b", "a/b/c", "d", "d/e", "empty-dir"};
    String[] modes = {"rw-r--r--", "rw-------", "rw-r-----", "rwxr-xr-x", "r--r--r--", "rwx------"};
    long base = Instant.parse("2019-03-04T05:06:07Z").getEpochSecond();
    for (String d : dirs) {
      Files.createDirectories(root.resolve(d));
    }
    for (int i = 0; i < 320; i++) {
      Path f = root.resolve(dirs[i % 5]).resolve((i % 3 == 0 ? "small-" : "text-") + i);
      byte[] b = new byte[(i * 37) % 5000];
      r.nextBytes(b);
      Files.write(f, b);
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(modes[i % modes.length]));
      Instant t = Instant.ofEpochSecond(base + i * 3607L, i % 4 == 0 ? (i % 1000) * 1_000_000L : 0);
      Files.setLastModifiedTime(f, FileTime.from(t));
    }
    Files.write(root.resolve("empty"), new byte[0]);
    Files.setLastModifiedTime(root.resolve("empty"), FileTime.from(Instant.ofEpochSecond(base - 86400)));
    byte[] big = new byte[(int) (3 * MIB) + 4321];
    r.nextBytes(big);
    Files.write(root.resolve("big.bin"), big);
    Files.setPosixFilePermissions(root.resolve("big.bin"), PosixFilePermissions.fromString("rw-rw-r--"));
    Files.setLastModifiedTime(root.resolve("big.bin"), FileTime.from(Instant.ofEpochSecond(base + 12345)));
    Files.createSymbolicLink(root.resolve("link"), Path.of("a/b/c/small-7"));
    // Directories last (adding entries changes a directory's time), deepest first.
    String[] dirModes = {"rwxr-x---", "rwx------", "rwxr-xr-x", "rwxrwxr-x", "rwx--x--x", "rwxr-xr-x"};
    for (int i = dirs.length - 1; i >= 0; i--) {
      Path d = root.resolve(dirs[i]);
      Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(dirModes[i]));
      Files.setLastModifiedTime(d, FileTime.from(Instant.ofEpochSecond(base + 1_000_000 + i * 86_400L)));
    }
    return root;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 2. dd of a 2 GiB file.
  // ---------------------------------------------------------------------------------------------------------------

  @Test
  void ddOfATwoGibFile() throws Exception {
    Path src = local.resolve("src.bin");
    String path = workPath + "/big.bin";
    try {
      long t0 = System.nanoTime();
      writeRandom(src, 2 * GIB, 2024);
      long t1 = System.nanoTime();
      String want = sha256(local, "src.bin", 300);
      long t2 = System.nanoTime();
      ok(work, "dd if=" + src + " of=big.bin bs=1M status=none", 300);
      long t3 = System.nanoTime();
      // 2 GiB is 2^31: one more than the largest int, so no length or offset on the way may be an int.
      assertEquals(2 * GIB, awaitComplete(path).getLength());
      assertEquals(2 * GIB + "\n", ok(work, "stat -c %s big.bin").out());
      long reads = cluster.mounted().readRequests();
      long t4 = System.nanoTime();
      assertEquals(want, sha256(work, "big.bin", 300));
      long t5 = System.nanoTime();
      assertEquals(want, sha256ViaClient(path));
      long t6 = System.nanoTime();
      System.out.printf("2 GiB: generate %d ms, sha256sum local %d ms, dd to the mount %d ms, sha256sum through "
          + "the mount %d ms (%d READ requests), read by the Java client %d ms%n", (t1 - t0) / 1_000_000,
          (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000, (t5 - t4) / 1_000_000,
          cluster.mounted().readRequests() - reads, (t6 - t5) / 1_000_000);
    } finally {
      Files.deleteIfExists(src);
      Files.deleteIfExists(work.resolve("big.bin"));
    }
    assertFalse(Files.exists(work.resolve("big.bin")));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 3. 100,000 entries in one directory (a UFS mount), listed through the FUSE mount.
  // ---------------------------------------------------------------------------------------------------------------

  @Test
  void aUfsDirectoryOfOneHundredThousandEntries() throws Exception {
    int n = 100_000;
    Path ufs = Files.createDirectories(local.resolve("ufs"));
    // Creating them through Sluice one by one takes minutes: the UFS has them, and Sluice loads its listing.
    ok(ufs, "python3 -c \"import os\nfor i in range(" + n + "): open('entry-%06d' % i, 'w').close()\"");
    Files.writeString(ufs.resolve("entry-054321"), "x");
    Files.setLastModifiedTime(ufs.resolve("entry-099999"), FileTime.from(Instant.parse("2021-02-03T04:05:06Z")));
    assertEquals(n + "\n", ok(ufs, "ls -f | grep -vcx '\\.\\|\\.\\.'").out());
    cluster.client().mount(workPath + "/ufs", ufs.toUri(), io.sluice.client.MountOptions.defaults());
    try {
      long t0 = System.nanoTime();
      // The raw readdir stream (unsorted, with . and ..): every entry once.
      assertEquals((n + 2) + "\n", ok(work, "ls -f ufs | wc -l").out());
      long t1 = System.nanoTime();
      assertEquals("", ok(work, "ls -f ufs | LC_ALL=C sort | uniq -d").out());
      // The same names as the UFS directory, exactly.
      String want = ok(ufs, "LC_ALL=C ls").out();
      long t2 = System.nanoTime();
      String got = ok(work.resolve("ufs"), "LC_ALL=C ls").out();
      long t3 = System.nanoTime();
      assertEquals(n, got.lines().count());
      assertTrue(want.equals(got), "the names listed through the mount differ from the UFS directory's");
      // A few entries by name: ls -l works, with the type, size and time the UFS has (Sluice takes no modes from a
      // UFS: files show its default, 0644).
      String ll = "LC_ALL=C ls -l --time-style=+%s entry-000000 entry-054321 entry-099999";
      String typeSizeTimeName = " | awk '{print substr($1, 1, 1), $5, $6, $7}'";
      assertEquals(ok(ufs, ll + typeSizeTimeName).out(), ok(work.resolve("ufs"), ll + typeSizeTimeName).out());
      assertEquals("-rw-r--r--\n-rw-r--r--\n-rw-r--r--\n", ok(work.resolve("ufs"), ll + " | cut -c1-10").out());
      assertEquals("x", Files.readString(work.resolve("ufs/entry-054321")));
      System.out.printf("100,000 entries: ls -f through the mount %d ms, sorted ls %d ms%n", (t1 - t0) / 1_000_000,
          (t3 - t2) / 1_000_000);
    } finally {
      cluster.client().unmount(workPath + "/ufs");
    }
    assertEquals("", ok(work, "ls -A").out());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 4. Two readers and a writer at once.
  // ---------------------------------------------------------------------------------------------------------------

  @Test
  void twoReadersAndAWriterAtOnce() throws Exception {
    long size = 64 * MIB;
    // The readers' files are written by another client, so no page of them is in the kernel's cache: every read
    // goes through the mount.
    String[] want = new String[3];
    for (int i = 0; i < 2; i++) {
      Path f = local.resolve("r" + i + ".bin");
      writeRandom(f, size, 100 + i);
      try (SluiceOutputStream out = cluster.client().create(workPath + "/r" + i + ".bin")) {
        Files.copy(f, out);
      }
      want[i] = sha256(local, f.getFileName().toString(), 60);
      Files.delete(f);
    }
    Path w = local.resolve("w.bin");
    writeRandom(w, size, 102);
    want[2] = sha256(local, "w.bin", 60);
    long reads = cluster.mounted().readRequests();
    String script = String.join("\n",
        "sha256sum r0.bin > " + local.resolve("r0.sum") + " & a=$!",
        "sha256sum r1.bin > " + local.resolve("r1.sum") + " & b=$!",
        "dd if=" + w + " of=w.bin bs=1M status=none & c=$!",
        "wait $a; ea=$?; wait $b; eb=$?; wait $c; ec=$?",
        "echo $ea $eb $ec");
    long t0 = System.nanoTime();
    Shell.Result r = ok(work, script);
    long t1 = System.nanoTime();
    assertEquals("0 0 0\n", r.out(), r.toString());
    assertEquals(want[0], Files.readString(local.resolve("r0.sum")).split(" ")[0]);
    assertEquals(want[1], Files.readString(local.resolve("r1.sum")).split(" ")[0]);
    long served = cluster.mounted().readRequests() - reads;
    // 128 KiB a request at most: 1,024 for the two files.
    assertTrue(served >= 2 * size / (128 * 1024), "READ requests served: " + served);
    assertEquals(size, awaitComplete(workPath + "/w.bin").getLength());
    assertEquals(want[2], sha256(work, "w.bin", 60));
    assertEquals(want[2], sha256ViaClient(workPath + "/w.bin"));
    System.out.printf("two readers and a writer of 64 MiB each at once: %d ms, %d READ requests%n",
        (t1 - t0) / 1_000_000, served);
    ok(work, "rm r0.bin r1.bin w.bin");
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 5. SIGTERM to a mount process under load.
  // ---------------------------------------------------------------------------------------------------------------

  @Test
  void sigtermUnderLoadLeavesNoMountAndNoProcessBehind() throws Exception {
    Path pm = tmp.resolve("process-mnt");
    // The load's files, written by another client: an 8 MiB file to read again and again.
    try (SluiceOutputStream out = cluster.client().create(workPath + "/r.bin")) {
      byte[] b = new byte[(int) (8 * MIB)];
      new Random(5).nextBytes(b);
      out.write(b);
    }
    Set<String> connectionsBefore = fuseConnections();
    Process mount = mountProcess(pm, "mount-0.log");
    Path loadDir = pm.resolve(testName);
    assertTrue(Files.exists(loadDir.resolve("r.bin")), "the mount process does not show " + loadDir);
    // A writer overwriting four 8 MiB files, and a reader whose working directory is in the mount (so the mount is
    // busy) reading a file and walking the tree; both bounded, both stop at the first error.
    Process writer = load("writer", pm.getParent(), "for i in $(seq 1 400); do dd if=/dev/zero of=" + loadDir
        + "/w$((i % 4)) bs=1M count=8 status=none || exit 3; echo $i > " + local.resolve("writer.progress")
        + "; done");
    Process reader = load("reader", loadDir, "for i in $(seq 1 100000); do cat r.bin > /dev/null || exit 4; "
        + "find . > /dev/null || exit 5; echo $i > " + local.resolve("reader.progress") + "; done");
    List<ProcessHandle> loadProcesses = new ArrayList<>();
    awaitProgress("writer", writer, 2);
    awaitProgress("reader", reader, 2);
    for (Process p : List.of(writer, reader)) {
      loadProcesses.add(p.toHandle());
      p.descendants().forEach(loadProcesses::add);
    }
    assertTrue(writer.isAlive() && reader.isAlive(), "the load ended before SIGTERM");

    long t0 = System.nanoTime();
    mount.destroy();
    assertTrue(mount.waitFor(90, TimeUnit.SECONDS), "the mount process still runs 90s after SIGTERM");
    long stopMs = (System.nanoTime() - t0) / 1_000_000;
    assertFalse(MountTable.isMounted(pm), "SIGTERM left the mount behind");
    // The load fails (its mount is gone) or has finished: either way it ends on its own.
    for (Process p : List.of(writer, reader)) {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        fail("a load process still runs 60s after the mount process ended: " + p.info());
      }
    }
    long loadMs = (System.nanoTime() - t0) / 1_000_000;
    String why = "writer exit " + writer.exitValue() + ": " + Files.readString(local.resolve("writer.log"))
        + "\nreader exit " + reader.exitValue() + ": " + Files.readString(local.resolve("reader.log"))
        + "\nmount process log:\n" + Files.readString(local.resolve("mount-0.log"));
    System.out.printf("SIGTERM under load: the mount process ended in %d ms (exit %d), the load in %d ms%n%s%n",
        stopMs, mount.exitValue(), loadMs, why);
    for (ProcessHandle h : loadProcesses) {
      assertTrue(awaitEnd(h), "left running: " + h.pid() + " " + h.info());
    }
    assertTrue(mount.descendants().noneMatch(ProcessHandle::isAlive), "the mount process left children running");
    // No process has a working directory, root or open file under the mount point.
    assertEquals(List.of(), processesUsing(pm));
    // The kernel's FUSE connection went with the last user of the (lazily detached) mount.
    awaitConnections(connectionsBefore);
    // What was being written when the mount stopped was completed, so other clients can read every file. Except
    // (a known bug, not understood: the mount's callbacks are gated so no file is created after the open files
    // were completed, yet about one run in three left one behind) the file the writer was writing when the
    // process exited, which stays incomplete and empty: the writer got an error for that very file. Not seen in 16
    // runs since a busy mount stopped serving 20 s past SIGTERM before it detached (45d34ad); kept until more runs.
    List<String> incomplete = new ArrayList<>();
    for (FileInfo f : cluster.client().listStatusAll(workPath)) {
      if (!f.getComplete()) {
        incomplete.add(f.getName() + " (" + f.getLength() + " bytes)");
        assertEquals(0, f.getLength(), f.getName() + " left incomplete with data\n" + why);
        assertTrue(writer.exitValue() == 3 && Files.readString(local.resolve("writer.log"))
            .contains(" '" + loadDir.resolve(f.getName()) + "': "), f.getName() + " left incomplete\n" + why);
      }
    }
    if (!incomplete.isEmpty()) {
      System.out.println("SIGTERM under load left incomplete: " + incomplete);
    }

    // A new mount at the same directory serves.
    Process again = mountProcess(pm, "mount-1.log");
    Files.writeString(loadDir.resolve("after.txt"), "after the restart");
    assertEquals("after the restart", Files.readString(loadDir.resolve("after.txt")));
    assertEquals(17, awaitComplete(workPath + "/after.txt").getLength());
    assertEquals(8 * MIB, Files.size(loadDir.resolve("r.bin")));
    // The writer's files, whatever state it left them in, can be written again through the new mount.
    ok(loadDir, "for f in w*; do echo again > $f; done");
    for (FileInfo f : cluster.client().listStatusAll(workPath)) {
      if (f.getName().startsWith("w")) {
        assertEquals(6, awaitComplete(workPath + "/" + f.getName()).getLength(), f.getName());
      }
    }
    long t1 = System.nanoTime();
    again.destroy();
    assertTrue(again.waitFor(60, TimeUnit.SECONDS), "the second mount process still runs 60s after SIGTERM");
    System.out.printf("SIGTERM of an idle mount process: %d ms%n", (System.nanoTime() - t1) / 1_000_000);
    assertFalse(MountTable.isMounted(pm));
    ok(work, "rm -f r.bin w0 w1 w2 w3 after.txt");
  }

  /** A bash loop in the background, its output to {@code NAME.log} in the local directory. */
  private Process load(String name, Path cwd, String script) throws IOException {
    Process p = new ProcessBuilder("bash", "-c", script).directory(cwd.toFile()).redirectErrorStream(true)
        .redirectOutput(local.resolve(name + ".log").toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    processes.add(p);
    return p;
  }

  private void awaitProgress(String name, Process p, int rounds) throws Exception {
    Path progress = local.resolve(name + ".progress");
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (true) {
      String s = Files.exists(progress) ? Files.readString(progress).strip() : "";
      if (!s.isEmpty() && Integer.parseInt(s) >= rounds) {
        return;
      }
      if (!p.isAlive() || System.nanoTime() > deadline) {
        fail(name + " made no progress (alive " + p.isAlive() + "): " + Files.readString(local.resolve(name + ".log")));
      }
      Thread.sleep(20);
    }
  }

  private static boolean awaitEnd(ProcessHandle h) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (h.isAlive()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  /** Processes whose working directory, root or an open file is {@code dir} or under it, as /proc shows them. */
  private static List<String> processesUsing(Path dir) throws IOException {
    String d = dir.toAbsolutePath().normalize().toString();
    List<String> using = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).collect(Collectors.toList())) {
        List<Path> links = new ArrayList<>(List.of(p.resolve("cwd"), p.resolve("root")));
        try (Stream<Path> fds = Files.list(p.resolve("fd"))) {
          fds.forEach(links::add);
        } catch (IOException e) {
          // Gone meanwhile, or not ours to read.
        }
        for (Path l : links) {
          try {
            String target = Files.readSymbolicLink(l).toString();
            if (target.equals(d) || target.startsWith(d + "/")) {
              using.add(p.getFileName() + " " + l.getFileName() + " -> " + target);
            }
          } catch (IOException e) {
            // Gone meanwhile.
          }
        }
      }
    }
    return using;
  }

  /** The kernel's FUSE connections (one per live mount or detached mount still in use), where sysfs shows them. */
  private static Set<String> fuseConnections() throws IOException {
    Path d = Path.of("/sys/fs/fuse/connections");
    if (!Files.isDirectory(d)) {
      return Set.of();
    }
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(HashSet::new));
    }
  }

  private static void awaitConnections(Set<String> want) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!fuseConnections().equals(want)) {
      assertTrue(System.nanoTime() < deadline, "FUSE connections " + fuseConnections() + ", before " + want);
      Thread.sleep(20);
    }
  }

  private String masterConf() {
    return "sluice.master.addresses=" + cluster.conf().explicitValues().get("sluice.master.addresses");
  }

  /** {@code sluice fuse mount DIR} in the background (as FuseCliTest does); returns once the mount answers. */
  private Process mountProcess(Path dir, String logName) throws Exception {
    mountPoints.add(dir);
    Path log = local.resolve(logName);
    Process p = new ProcessBuilder(Shell.sluiceCommand("fuse", "mount", dir.toString(), "--conf", masterConf()))
        .redirectErrorStream(true).redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    processes.add(p);
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!(MountTable.isMounted(dir) && answers(dir))) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("not mounted (listed " + MountTable.isMounted(dir) + "): " + Files.readString(log));
      }
      Thread.sleep(100);
    }
    return p;
  }

  private static boolean answers(Path dir) {
    try {
      Files.list(dir).close();
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
