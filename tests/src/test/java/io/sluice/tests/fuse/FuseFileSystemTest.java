package io.sluice.tests.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceOutputStream;
import io.sluice.fuse.FuseMount;
import io.sluice.fuse.MountOptions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real programs (coreutils, dd, tar, diff) and java.nio on a real FUSE mount of an in-JVM cluster. One mount for
 * the class; each test works in its own directory of it.
 */
class FuseFileSystemTest {
  @TempDir
  static Path tmp;

  private static FuseCluster cluster;
  private static Path mnt;

  /** This test's directory on the mount, and a local scratch directory. */
  private Path work;
  private Path local;

  @BeforeAll
  static void mount() throws Exception {
    FuseRequirement.assumeFuse();
    // Small listing pages, so a directory listing spans many pages and readdir calls.
    // Read threads even on 2 cores (where the default has none): every test here then runs on the concurrent loop.
    cluster = new FuseCluster(tmp.resolve("cluster"), "sluice.user.list.page.size", "100",
        "sluice.fuse.read.threads", "2").start();
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
    local = Files.createDirectories(tmp.resolve("local").resolve(name));
  }

  private static Shell.Result ok(Path cwd, String script) throws Exception {
    Shell.Result r = Shell.bash(cwd, script);
    assertEquals(0, r.code(), script + "\n" + r);
    return r;
  }

  private static String sha256(Path dir, String file) throws Exception {
    return ok(dir, "sha256sum " + file).out().split(" ")[0];
  }

  @Test
  void mkdirThenLs() throws Exception {
    ok(work, "mkdir a && mkdir -p a/b && mkdir c");
    assertEquals("a\nc\n", ok(work, "ls").out());
    assertEquals("b\n", ok(work, "ls a").out());
    assertTrue(Files.isDirectory(work.resolve("a/b")));
    assertTrue(cluster.client().getStatus("/mkdirThenLs/a/b").getName().equals("b"));
  }

  @Test
  void ddWritesAFileWithTheSameBytes() throws Exception {
    // 10 MiB plus an odd tail: many 128 KiB requests and a short last one.
    byte[] data = new byte[(10 << 20) + 12345];
    new Random(7).nextBytes(data);
    Files.write(local.resolve("src.bin"), data);
    ok(work, "dd if=" + local.resolve("src.bin") + " of=copy.bin bs=1M status=none");
    assertEquals(sha256(local, "src.bin"), sha256(work, "copy.bin"));
    assertEquals(data.length, Files.size(work.resolve("copy.bin")));
    assertEquals(data.length, cluster.client().getStatus("/ddWritesAFileWithTheSameBytes/copy.bin").getLength());
    // Read back through java.nio too, including a positioned read in the middle.
    assertArrayEquals(data, Files.readAllBytes(work.resolve("copy.bin")));
    try (var ch = java.nio.channels.FileChannel.open(work.resolve("copy.bin"))) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1000);
      ch.read(b, 5_000_000);
      assertArrayEquals(Arrays.copyOfRange(data, 5_000_000, 5_001_000), b.array());
    }
  }

  @Test
  void cpOfAFileIsReadableByAnotherClient() throws Exception {
    byte[] data = "hello through FUSE\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
    Files.write(local.resolve("hello.txt"), data);
    ok(work, "cp " + local.resolve("hello.txt") + " .");
    // The mount completes the file when the kernel releases it, just after cp's close returns; another client
    // (this one does not go through the mount) sees it complete a moment later.
    String path = "/cpOfAFileIsReadableByAnotherClient/hello.txt";
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!cluster.client().getStatus(path).getComplete()) {
      assertTrue(System.nanoTime() < deadline, "not completed within 10s");
      Thread.sleep(10);
    }
    try (var in = cluster.client().open(path)) {
      assertArrayEquals(data, in.readAllBytes());
    }
  }

  @Test
  void cpArchiveOfATreeThenDiff() throws Exception {
    Path src = makeTree(local.resolve("tree"));
    ok(local, "chmod 700 " + src.resolve("a/b") + " && chmod 600 " + src.resolve("a/b/notes.txt")
        + " && find " + src + " -type f -exec touch -d '2020-05-06 07:08:09 UTC' {} + && ln -s a/b/notes.txt "
        + src.resolve("ln"));
    // cp -a preserves modes, owners, times and links: any complaint is a failure.
    Shell.Result r = ok(work, "cp -a " + src + " copy");
    assertEquals("", r.err(), r.toString());
    ok(work, "diff -r " + src + " copy");
    // Files' modification times too, of files with data included: cp sets them before closing, and the mount sets
    // them again after completing the file (completion sets its own).
    String stat = "stat -c '%n %a %U %G %F' $(find . | sort) && stat -c '%n %Y' $(find . -type f | sort)";
    assertEquals(ok(src, stat).out(), ok(work.resolve("copy"), stat).out());
  }

  @Test
  void tarRoundTrip() throws Exception {
    Path src = makeTree(local.resolve("tree"));
    ok(work, "mkdir x && tar c -C " + src + " . | tar x -C x");
    ok(work, "diff -r " + src + " x");
    // And back out of the mount.
    Path back = Files.createDirectory(local.resolve("back"));
    ok(work, "tar c -C x . | tar x -C " + back);
    ok(work, "diff -r " + src + " " + back);
  }

  @Test
  void renameAndRemove() throws Exception {
    Files.writeString(work.resolve("a.txt"), "A");
    Files.writeString(work.resolve("b.txt"), "B");
    ok(work, "mkdir d && mv a.txt d/renamed.txt");
    assertFalse(Files.exists(work.resolve("a.txt")));
    assertEquals("A", Files.readString(work.resolve("d/renamed.txt")));
    // mv over an existing file replaces it, as POSIX rename does.
    ok(work, "mv b.txt d/renamed.txt");
    assertEquals("B", Files.readString(work.resolve("d/renamed.txt")));
    ok(work, "mv d e");
    assertEquals("B", Files.readString(work.resolve("e/renamed.txt")));
    ok(work, "rm e/renamed.txt && rmdir e");
    assertEquals("", ok(work, "ls -A").out());
    Shell.Result rm = Shell.bash(work, "rm nothing-here");
    assertNotEquals(0, rm.code());
    assertTrue(rm.err().contains("No such file or directory"), rm.toString());
  }

  /**
   * rename(2) over an existing file replaces it in one step: while the target is replaced again and again through
   * the mount, another client always finds it. (A reader through the mount could not tell: the mount's single
   * request loop finishes a rename before the next request, atomic or not.)
   */
  @Test
  void renameOverAFileIsAtomicForAnotherClient() throws Exception {
    String dir = "/renameOverAFileIsAtomicForAnotherClient/";
    int rounds = 200;
    createVersions(dir, rounds);
    ok(work, "mv v0 target");
    AtomicBoolean done = new AtomicBoolean();
    ExecutorService reader = Executors.newSingleThreadExecutor();
    try {
      Future<int[]> lookups = reader.submit(() -> {
        int seen = 0;
        int missing = 0;
        while (!done.get()) {
          try {
            cluster.client().getStatus(dir + "target");
            seen++;
          } catch (io.sluice.common.rpc.RpcException e) {
            if (e.status() != io.sluice.common.proto.Status.NOT_FOUND) {
              throw e;
            }
            missing++;
          }
        }
        return new int[] {seen, missing};
      });
      ok(work, "for i in $(seq 1 " + rounds + "); do mv v$i target; done");
      done.set(true);
      int[] l = lookups.get(60, TimeUnit.SECONDS);
      assertTrue(l[0] > 0, "the reader never looked");
      assertEquals(0, l[1], "lookups that found no target (of " + (l[0] + l[1]) + ")");
    } finally {
      reader.shutdownNow();
    }
    assertEquals("v" + rounds, Files.readString(work.resolve("target")));
    assertEquals("target\n", ok(work, "ls -A").out());
  }

  /**
   * A reader through the mount opening the target while it is renamed over again and again reads a whole version,
   * old or new, or (counted, not failed) finds no file: libfuse2 names files by path, so an open racing a rename
   * (the kernel looked "target" up just before it was replaced, and opens that inode just after) can reach no path
   * and fail with ENOENT inside libfuse, before the mount is asked. The mount turns the other form of that race (the
   * open reaches it for the old file libfuse hid, gone by then) into ESTALE, which the kernel retries.
   */
  @Test
  void renameOverAFileWhileAReaderOpensIt() throws Exception {
    int rounds = 200;
    createVersions("/renameOverAFileWhileAReaderOpensIt/", rounds);
    ok(work, "mv v0 target");
    AtomicBoolean done = new AtomicBoolean();
    ExecutorService reader = Executors.newSingleThreadExecutor();
    try {
      Future<int[]> opens = reader.submit(() -> {
        int read = 0;
        int failed = 0;
        while (!done.get()) {
          try {
            String text = Files.readString(work.resolve("target"));
            assertTrue(text.matches("v\\d+"), text);
            read++;
          } catch (NoSuchFileException e) {
            failed++;
          }
        }
        return new int[] {read, failed};
      });
      ok(work, "for i in $(seq 1 " + rounds + "); do mv v$i target; done");
      done.set(true);
      int[] o = opens.get(60, TimeUnit.SECONDS);
      System.out.printf("rename over an open file: %d reads, %d opens lost the race%n", o[0], o[1]);
      assertTrue(o[0] > 0, "the reader never read");
    } finally {
      reader.shutdownNow();
    }
    assertEquals("v" + rounds, Files.readString(work.resolve("target")));
    // The replaced files libfuse hid while the reader had them open are gone once it closed them.
    assertEquals("target\n", ok(work, "ls -A").out());
  }

  /** Complete files v0..v{@code rounds} from the client: the tests are about renames, not files being written. */
  private static void createVersions(String dir, int rounds) throws IOException {
    for (int i = 0; i <= rounds; i++) {
      try (SluiceOutputStream out = cluster.client().create(dir + "v" + i)) {
        out.write(("v" + i).getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  /** An open descriptor still reads a file removed meanwhile, as on a local file system. */
  @Test
  void aRemovedFileStaysReadableWhileOpen() throws Exception {
    ok(work, "echo x > f && exec 3<f && rm f && cat <&3 > " + local.resolve("read.txt") + " && exec 3<&-");
    assertEquals("x\n", Files.readString(local.resolve("read.txt")));
    assertFalse(Files.exists(work.resolve("f")));
    assertEquals("", ok(work, "ls -A").out());
  }

  @Test
  void renameOntoADirectory() throws Exception {
    ok(work, "mkdir -p a/inner full/x empty && echo f > file");
    Shell.Result r = Shell.bash(work, "mv -T a full");
    assertNotEquals(0, r.code());
    assertTrue(r.err().contains("Directory not empty"), r.toString());
    ok(work, "mv -T a empty");
    assertEquals("empty\nfile\nfull\n", ok(work, "ls").out());
    assertTrue(Files.isDirectory(work.resolve("empty/inner")));
    assertThrows(IOException.class, () -> Files.move(work.resolve("file"), work.resolve("full"),
        java.nio.file.StandardCopyOption.ATOMIC_MOVE));
    assertTrue(Files.exists(work.resolve("file")));
  }

  /** Git exercises lock files renamed over their targets, read-only objects, mmap and many small files. */
  @Test
  void gitInitAddCommitLog() throws Exception {
    Path src = makeTree(work.resolve("repo"));
    String git = "git -c user.name=Test -c user.email=test@example.com ";
    // Without reflogs: git appends to .git/logs/* at every commit, and the mount cannot append (Sluice files are
    // written once, see writesTheClientCannotDoFailCleanly). Setting it rewrites .git/config through a lock file.
    ok(src, "git init -q . && git config core.logAllRefUpdates false");
    ok(src, git + "add . && " + git + "commit -q -m first");
    ok(src, "(cat a/b/notes.txt; echo more) > n && mv n a/b/notes.txt");
    ok(src, git + "commit -q -a -m second");
    assertEquals("second\nfirst\n", ok(src, "git log --format=%s").out());
    assertEquals("", ok(src, "git status --porcelain").out());
    ok(src, "git fsck --strict");
  }

  /**
   * A seekdir back into a listing that spans many readdir calls and listing pages (100 names a page here) resumes
   * after the name read last before that point.
   */
  @Test
  void seekdirResumesAListing() throws Exception {
    SluiceClient c = cluster.client();
    for (int i = 0; i < 350; i++) {
      c.mkdir("/seekdirResumesAListing/d" + String.format("%03d", i), false);
    }
    Files.writeString(local.resolve("seek.pl"), String.join("\n",
        "opendir(my $d, '.') or die;",
        "my @first; push @first, scalar readdir($d) for 1..160;",
        "my $pos = telldir($d);",
        "my @rest = readdir($d);",
        "seekdir($d, $pos);",
        "my @again = readdir($d);",
        "print scalar(@first), ' ', scalar(@rest), ' ', (join(',', @rest) eq join(',', @again) ? 'same' : 'differ'),",
        "  ' ', $again[0], qq(\\n);"));
    assertEquals("160 192 same d158\n", ok(work, "perl " + local.resolve("seek.pl")).out());
  }

  @Test
  void rmdirOfANonEmptyDirectoryIsENOTEMPTY() throws Exception {
    ok(work, "mkdir d && echo x > d/f");
    Shell.Result r = Shell.bash(work, "rmdir d");
    assertNotEquals(0, r.code());
    assertTrue(r.err().contains("Directory not empty"), r.toString());
    assertThrows(DirectoryNotEmptyException.class, () -> Files.delete(work.resolve("d")));
    assertTrue(Files.exists(work.resolve("d/f")));
    ok(work, "rm -r d");
    assertFalse(Files.exists(work.resolve("d")));
  }

  @Test
  void statOfAMissingPathIsENOENT() throws Exception {
    Shell.Result r = Shell.bash(work, "stat missing");
    assertNotEquals(0, r.code());
    assertTrue(r.err().contains("No such file or directory"), r.toString());
    assertThrows(NoSuchFileException.class, () -> Files.readAttributes(work.resolve("missing"),
        java.nio.file.attribute.BasicFileAttributes.class));
    Shell.Result cat = Shell.bash(work, "cat missing/deeper");
    assertTrue(cat.err().contains("No such file or directory"), cat.toString());
  }

  @Test
  void listsADirectoryOfThousandsOfEntries() throws Exception {
    SluiceClient c = cluster.client();
    int n = 2000;
    int files = 0;
    for (int i = 0; i < n; i++) {
      String p = "/listsADirectoryOfThousandsOfEntries/e" + String.format("%05d", i);
      // Mostly directories (one RPC each); a file takes a block write too.
      if (i % 50 != 0) {
        c.mkdir(p, false);
      } else {
        try (SluiceOutputStream out = c.create(p)) {
          out.write(i & 0xff);
        }
        files++;
      }
    }
    Shell.Result ls = ok(work, "ls -1");
    List<String> names = ls.out().lines().collect(Collectors.toList());
    assertEquals(n, names.size());
    for (int i = 0; i < n; i++) {
      assertEquals("e" + String.format("%05d", i), names.get(i));
    }
    try (Stream<Path> s = Files.list(work)) {
      assertEquals(n, s.count());
    }
    // ls -l stats every entry: directories and one-byte files.
    Shell.Result ll = ok(work, "ls -l | grep -c '^-'");
    assertEquals(Integer.toString(files), ll.out().strip());
  }

  @Test
  void overwriteWithTruncateReplacesTheContent() throws Exception {
    ok(work, "echo first version > f.txt");
    assertEquals("first version\n", Files.readString(work.resolve("f.txt")));
    ok(work, "echo second > f.txt");
    assertEquals("second\n", Files.readString(work.resolve("f.txt")));
    Files.writeString(work.resolve("f.txt"), "third");
    assertEquals("third", Files.readString(work.resolve("f.txt")));
    assertEquals(5, Files.size(work.resolve("f.txt")));
  }

  /**
   * libfuse2's multi-threaded loop under jnr-fuse attaches a new Java thread for every native thread it starts
   * (70,000 in one fio run). The mount must serve many concurrent callers without starting threads per request.
   */
  @Test
  void concurrentOperationsDoNotChurnThreads() throws Exception {
    int callers = 8;
    int rounds = 40;
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      // Warm up: the pool's threads, the client's connections and the JIT exist before counting.
      runConcurrently(pool, callers, 5);
      long startedBefore = mx.getTotalStartedThreadCount();
      int liveBefore = mx.getThreadCount();
      mx.resetPeakThreadCount();
      runConcurrently(pool, callers, rounds);
      long started = mx.getTotalStartedThreadCount() - startedBefore;
      int peak = mx.getPeakThreadCount();
      System.out.printf("FUSE thread check: %d operations by %d callers; threads started %d, live %d -> %d, "
          + "peak %d%n", callers * rounds * 6, callers, started, liveBefore, mx.getThreadCount(), peak);
      // Per-request churn would start thousands; a few are allowed for the cluster's own housekeeping.
      assertTrue(started < 20, "threads started during the run: " + started);
      assertTrue(peak < liveBefore + 20, "peak " + peak + " vs " + liveBefore + " live before");
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Reads of files open only for reading are served side by side, on the threads the mount started with: four
   * readers of four files overlap inside the daemon (with the one ordered thread alone they never would).
   */
  @Test
  void readersOfDifferentFilesAreServedSideBySideOnFixedThreads() throws Exception {
    FuseMount mount = cluster.mounted();
    int threads = MountOptions.from(cluster.conf()).readThreads() + 1;
    assertEquals(threads, mount.loopThreads());
    int files = 4;
    byte[][] data = new byte[files][];
    String dir = "/" + mnt.relativize(work);
    for (int i = 0; i < files; i++) {
      data[i] = new byte[8 << 20];
      new Random(40 + i).nextBytes(data[i]);
      // Written through the client, so the kernel holds none of it: every byte read is a READ request.
      try (SluiceOutputStream out = cluster.client().create(dir + "/r" + i)) {
        out.write(data[i]);
      }
    }
    mount.takePeakReadsInFlight();
    ExecutorService readers = Executors.newFixedThreadPool(files);
    try {
      List<Future<byte[]>> got = new java.util.ArrayList<>();
      for (int i = 0; i < files; i++) {
        Path f = work.resolve("r" + i);
        got.add(readers.submit(() -> Files.readAllBytes(f)));
      }
      for (int i = 0; i < files; i++) {
        assertArrayEquals(data[i], got.get(i).get(120, TimeUnit.SECONDS), "file " + i);
      }
    } finally {
      readers.shutdownNow();
    }
    int peak = mount.takePeakReadsInFlight();
    assertTrue(peak >= 2, "at most " + peak + " READ at a time");
    assertEquals(threads, mount.loopThreads(), "no thread started or lost under load");
  }

  /** Each caller writes, stats, reads, lists and deletes its own files through the mount. */
  private void runConcurrently(ExecutorService pool, int callers, int rounds) throws Exception {
    List<Future<?>> done = new java.util.ArrayList<>();
    for (int t = 0; t < callers; t++) {
      Path dir = Files.createDirectories(work.resolve("caller" + t));
      done.add(pool.submit(() -> {
        for (int i = 0; i < rounds; i++) {
          Path f = dir.resolve("f" + i);
          String text = "round " + i + " of " + dir.getFileName();
          Files.writeString(f, text);
          Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class);
          assertEquals(text, Files.readString(f));
          try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.count() >= 1);
          }
          assertFalse(Files.exists(dir.resolve("missing" + i)));
          Files.delete(f);
        }
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get(300, TimeUnit.SECONDS);
    }
  }

  @Test
  void dfShowsTheWorkersCapacity() throws Exception {
    // The worker has a 4g tier: df reports it in 1K blocks.
    String[] cols = ok(work, "df -k . | tail -1").out().trim().split("\\s+");
    assertEquals(4L << 20, Long.parseLong(cols[1]), String.join(" ", cols));
  }

  /** A small tree: nested directories, an empty file, a few sizes across the 128 KiB request size. */
  private static Path makeTree(Path root) throws IOException {
    Random r = new Random(3);
    Files.createDirectories(root.resolve("a/b/c"));
    Files.createDirectories(root.resolve("empty-dir"));
    Files.write(root.resolve("empty"), new byte[0]);
    int[] sizes = {1, 4095, 4096, 131072, 131073, 1 << 20};
    for (int i = 0; i < sizes.length; i++) {
      byte[] b = new byte[sizes[i]];
      r.nextBytes(b);
      Files.write(root.resolve(i % 2 == 0 ? "a" : "a/b/c").resolve("f" + i + ".bin"), b);
    }
    Files.writeString(root.resolve("a/b/notes.txt"), "notes\n");
    return root;
  }
}
