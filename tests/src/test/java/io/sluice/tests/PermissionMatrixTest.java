package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.CreateOptions;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceOutputStream;
import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import io.sluice.fuse.FuseKeys;
import io.sluice.fuse.FuseMount;
import io.sluice.fuse.MountOptions;
import io.sluice.tests.PosixPermissionModel.Inode;
import io.sluice.tests.PosixPermissionModel.Op;
import io.sluice.tests.PosixPermissionModel.Outcome;
import io.sluice.tests.PosixPermissionModel.Subject;
import io.sluice.tests.fuse.FuseRequirement;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9: permissions are enforced the same through every front end. One cluster; for each front end and each
 * subject (the owner, a member of the file's group, another user, the superuser) a fixture tree of directories and
 * files in many modes, owned by {@value #OWNER}:{@value #GROUP}; every operation of {@link Op} is tried on it, and
 * each front end must answer what {@link PosixPermissionModel} says Linux would: for a refusal the Java client
 * PERMISSION_DENIED, Hadoop {@code AccessControlException}, the CLI exit 1 with "Permission denied", FUSE the exact
 * errno (EACCES or EPERM) seen by a real process running as that user; for a missing name that may be looked for,
 * NOT_FOUND, {@code FileNotFoundException}, "No such file or directory", ENOENT. A failure lists every disagreeing
 * case.
 *
 * <p>Subjects are system accounts every Debian host has ({@code daemon}, {@code nobody} of group {@code nogroup},
 * {@code bin}) so FUSE can act as them with setpriv without adding accounts; the other front ends just claim the
 * name ({@code sluice.user.name}, a Hadoop remote user), and the master looks their groups up in the OS as usual.
 *
 * <p>Not in the matrix: write-only modes (e.g. 0620). The Java client opens a file for changes through its block
 * locations, which need read permission, so appending to a file one may write but not read is refused by the Java
 * client and Hadoop while Linux (and FUSE) allow it (see the report of issue 9).
 */
class PermissionMatrixTest {
  static final String OWNER = "daemon";
  static final String GROUP = "nogroup";
  /** The owner's own group: the one group the owner may give its files (CHGRP). */
  static final String OWNER_GROUP = "daemon";
  static final Subject OWNER_SUBJECT = new Subject(OWNER, Set.of(OWNER_GROUP), false);
  static final Subject GROUP_MEMBER = new Subject("nobody", Set.of(GROUP), false);
  static final Subject OTHER = new Subject("bin", Set.of("bin"), false);
  static final Subject SUPERUSER = new Subject(System.getProperty("user.name"), Set.of(), true);
  static final List<Subject> SUBJECTS = List.of(OWNER_SUBJECT, GROUP_MEMBER, OTHER, SUPERUSER);

  /** Directory modes: each class with and without read, write, search; and a sticky world-writable one. */
  private static final int[] DIR_MODES = {0755, 0750, 0740, 0700, 0751, 0770, 01777};
  /** File modes: each class with and without read and write (never write without read, see above). */
  private static final int[] FILE_MODES = {0644, 0640, 0600, 0604, 0444, 0660, 0666};

  /**
   * The CLI connects a client per command, which dominates its time: it runs the cases of these modes only, which
   * still have each class with and without read, write and search, and the sticky directory.
   */
  private static final Set<Integer> CLI_MODES = Set.of(0750, 0740, 0751, 01777, 0644, 0640, 0604, 0444);

  /** One operation on the fixture; {@code arg} is the rename target, chmod mode (octal), new owner or group. */
  record Case(Op op, String path, String arg, Inode dir, Inode target) {
    Outcome expected(Subject s) {
      return PosixPermissionModel.expect(op, s, dir, target, arg);
    }

    /** The mode the case is about: the directory's for operations on its entries, else the file's. */
    int mode() {
      return switch (op) {
        case STAT, STAT_MISSING, LIST, CREATE, MKDIR, DELETE, RENAME -> dir.mode();
        default -> target.mode();
      };
    }
  }

  @TempDir
  static Path tmp;

  private static LocalCluster cluster;
  private static SluiceClient root;
  private static SluiceClient owner;

  @BeforeAll
  static void start() throws Exception {
    for (Subject s : List.of(OWNER_SUBJECT, GROUP_MEMBER, OTHER)) {
      // The model's view of each account must be this host's, or it would predict for other users.
      assertEquals(s.groups(), Set.of(run("id", "-Gn", s.user()).trim().split(" ")), "groups of " + s.user());
    }
    cluster = new LocalCluster(tmp.resolve("cluster"));
    cluster.startMaster();
    cluster.startWorker();
    root = cluster.client();
    cluster.awaitWorker(root);
    owner = SluiceClient.connect(as(OWNER));
  }

  @AfterAll
  static void stop() throws Exception {
    if (owner != null) {
      owner.close();
    }
    if (root != null) {
      root.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  static SluiceConf as(String user) {
    return cluster.conf().with(CommonKeys.USER_NAME.name(), user);
  }

  @Test
  void javaClient() throws Exception {
    Map<Subject, List<Case>> matrix = fixtures("java");
    List<String> wrong = new ArrayList<>();
    for (Subject s : SUBJECTS) {
      try (SluiceClient c = SluiceClient.connect(as(s.user()))) {
        for (Case k : matrix.get(s)) {
          compare("java", s, k, PermissionProbes.java(c, k), wrong);
        }
      }
    }
    assertAgree(wrong);
  }

  @Test
  void hadoopFileSystem() throws Exception {
    Map<Subject, List<Case>> matrix = fixtures("hadoop");
    String masters = cluster.conf().get(CommonKeys.MASTER_ADDRESSES);
    List<String> wrong = new ArrayList<>();
    for (Subject s : SUBJECTS) {
      try (var fs = PermissionProbes.hadoopFileSystem(masters, s.user())) {
        for (Case k : matrix.get(s)) {
          compare("hadoop", s, k, PermissionProbes.hadoop(fs, k), wrong);
        }
      }
    }
    assertAgree(wrong);
  }

  /** The subjects in parallel, each on its own tree; {@link #CLI_MODES} only. */
  @Test
  void cli() throws Exception {
    Map<Subject, List<Case>> matrix = fixtures("cli");
    String masters = cluster.conf().get(CommonKeys.MASTER_ADDRESSES);
    List<String> wrong = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(SUBJECTS.size());
    // cat writes to System.out: one sink for all commands, since they run at once.
    PrintStream stdout = System.out;
    System.setOut(new PrintStream(OutputStream.nullOutputStream()));
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (Subject s : SUBJECTS) {
        runs.add(pool.submit(() -> {
          for (Case k : matrix.get(s)) {
            if (CLI_MODES.contains(k.mode())) {
              compare("cli", s, k, PermissionProbes.cli(masters, s.user(), k), wrong);
            }
          }
        }));
      }
      for (Future<?> f : runs) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      System.setOut(stdout);
      pool.shutdownNow();
    }
    assertAgree(wrong);
  }

  /**
   * Real system calls through a real mount, by a python3 process per subject that runs as that user (setpriv with
   * its groups), so the kernel and the mount decide together as they do for any program. The mount's own client is
   * the master's superuser here, as with {@code sluice local start}: the kernel's checks
   * ({@code default_permissions}) are the ones that refuse.
   *
   * <p>Then a mount whose client is not the superuser ({@value #OWNER}), used by root: the kernel lets root do
   * anything, so the master refuses what {@value #OWNER} may not do, and the mount must answer the errno Linux gives
   * {@value #OWNER} for it (EPERM for a chown, not EACCES).
   */
  @Test
  void fuse() throws Exception {
    FuseRequirement.assumeFuse();
    Map<Subject, List<Case>> matrix = fixtures("fuse");
    List<Case> throughOwnersMount = fixture("/pm/fuse-mounted-by-" + OWNER + "/" + SUPERUSER.user());
    // Other users must reach the mount point and the script: JUnit makes its temp directory 0700.
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path script = tmp.resolve("permission_ops.py");
    try (var in = PermissionMatrixTest.class.getResourceAsStream("permission_ops.py")) {
      Files.write(script, in.readAllBytes());
    }
    SluiceConf conf = cluster.conf().with(FuseKeys.ALLOW_OTHER.name(), "true").with(FuseKeys.HTTP_PORT.name(), "0");
    List<String> wrong = new ArrayList<>();
    try (SluiceClient mountClient = SluiceClient.connect(conf);
        FuseMount mount = FuseMount.mount(mountClient, tmp.resolve("mnt"), MountOptions.from(conf))) {
      for (Subject s : SUBJECTS) {
        runThroughMount(mount.dir(), script, s, matrix.get(s), s, wrong);
      }
    }
    SluiceConf ownersConf = conf.with(CommonKeys.USER_NAME.name(), OWNER);
    try (SluiceClient mountClient = SluiceClient.connect(ownersConf);
        FuseMount mount = FuseMount.mount(mountClient, tmp.resolve("mnt-" + OWNER), MountOptions.from(ownersConf))) {
      runThroughMount(mount.dir(), script, SUPERUSER, throughOwnersMount, OWNER_SUBJECT, wrong);
    }
    assertAgree(wrong);
  }

  /**
   * Runs {@code cases} through the mount at {@code mnt} in one python3 process as {@code process}, and holds each
   * errno to what the model says for {@code judgedAs}.
   */
  private static void runThroughMount(Path mnt, Path script, Subject process, List<Case> cases, Subject judgedAs,
      List<String> wrong) throws Exception {
    Path input = tmp.resolve("ops-" + process.user() + "-" + mnt.getFileName() + ".tsv");
    StringBuilder lines = new StringBuilder();
    for (Case k : cases) {
      String arg = k.op() == Op.RENAME ? mnt + k.arg() : k.arg() == null ? "" : k.arg();
      lines.append(k.op()).append('\t').append(mnt).append(k.path()).append('\t').append(arg).append('\n');
    }
    Files.writeString(input, lines);
    List<String> cmd = new ArrayList<>();
    if (!process.superuser()) {
      cmd.addAll(List.of("setpriv", "--reuid=" + process.user(), "--regid=" + run("id", "-g", process.user()).trim(),
          "--init-groups"));
    }
    cmd.addAll(List.of(python(), script.toString(), input.toString()));
    String[] results = run(cmd.toArray(String[]::new)).split("\n");
    assertEquals(cases.size(), results.length, "one result per case for " + process.user());
    for (int i = 0; i < cases.size(); i++) {
      Case k = cases.get(i);
      String got = results[i].substring(results[i].indexOf(' ') + 1);
      if (!got.equals(k.expected(judgedAs).name())) {
        wrong.add(describe("fuse " + mnt.getFileName(), judgedAs, k, got));
      }
    }
  }

  /** Java, Hadoop and CLI answer ALLOW, DENIED or NOT_FOUND: PERMISSION_DENIED has no EACCES/EPERM difference. */
  private static void compare(String frontEnd, Subject s, Case k, String got, List<String> wrong) {
    if (got.equals(PermissionProbes.NOT_OFFERED)) {
      return;
    }
    String expected = switch (k.expected(s)) {
      case ALLOW -> PermissionProbes.ALLOW;
      case EACCES, EPERM -> PermissionProbes.DENIED;
      case ENOENT -> PermissionProbes.NOT_FOUND;
    };
    if (!got.equals(expected)) {
      wrong.add(describe(frontEnd, s, k, got));
    }
  }

  private static String describe(String frontEnd, Subject s, Case k, String got) {
    return frontEnd + " " + s.user() + " " + k.op() + " " + k.path() + " (dir " + Integer.toOctalString(
        k.dir().mode()) + (k.target() == null ? "" : ", file " + Integer.toOctalString(k.target().mode()))
        + "): model " + k.expected(s) + ", got " + got;
  }

  private static void assertAgree(List<String> wrong) {
    assertTrue(wrong.isEmpty(), wrong.size() + " cases disagree with the POSIX model:\n" + String.join("\n", wrong));
  }

  /**
   * For each subject a fresh tree {@code /pm/FRONTEND/USER}, made by the owner: a directory per mode of
   * {@link #DIR_MODES} holding files {@code s} (to stat), {@code d} (to delete), {@code r} (to rename), and
   * {@code files/} holding {@code fMODE} with content per mode of {@link #FILE_MODES}, {@code own} and {@code grp}
   * (to chown and chgrp). Returns the cases to try on each tree, in order (reads before changes).
   */
  private static Map<Subject, List<Case>> fixtures(String frontEnd) throws Exception {
    root.mkdir("/pm/" + frontEnd, true, 0755);
    // One tree per subject, built at once: each is a few hundred round trips.
    Map<Subject, Future<List<Case>>> trees = new LinkedHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(SUBJECTS.size());
    try {
      for (Subject s : SUBJECTS) {
        trees.put(s, pool.submit(() -> fixture("/pm/" + frontEnd + "/" + s.user())));
      }
      Map<Subject, List<Case>> out = new LinkedHashMap<>();
      for (Map.Entry<Subject, Future<List<Case>>> t : trees.entrySet()) {
        out.put(t.getKey(), t.getValue().get(60, TimeUnit.SECONDS));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  /** One tree of {@link #fixtures} at {@code base}, and the cases to try on it. */
  private static List<Case> fixture(String base) throws Exception {
    Inode entry = new Inode(OWNER, GROUP, 0644);
    Inode files = new Inode(OWNER, GROUP, 0755);
    root.mkdir(base, true, 0755);
    root.setOwner(base, OWNER, GROUP);
    List<Case> cases = new ArrayList<>();
    for (int mode : DIR_MODES) {
      String d = base + "/d" + Integer.toOctalString(mode);
      owner.mkdir(d, false, mode);
      for (String name : List.of("s", "d", "r")) {
        owner.create(d + "/" + name, CreateOptions.defaults().withMode(0644)).close();
      }
      Inode dir = new Inode(OWNER, GROUP, mode);
      cases.add(new Case(Op.LIST, d, null, dir, null));
      cases.add(new Case(Op.STAT, d + "/s", null, dir, entry));
      cases.add(new Case(Op.STAT_MISSING, d + "/missing", null, dir, null));
      cases.add(new Case(Op.CREATE, d + "/c", null, dir, null));
      cases.add(new Case(Op.MKDIR, d + "/m", null, dir, null));
      cases.add(new Case(Op.DELETE, d + "/d", null, dir, entry));
      cases.add(new Case(Op.RENAME, d + "/r", d + "/r2", dir, entry));
    }
    String f = base + "/files";
    owner.mkdir(f, false, 0755);
    for (int mode : FILE_MODES) {
      String p = f + "/f" + Integer.toOctalString(mode);
      try (SluiceOutputStream o = owner.create(p, CreateOptions.defaults().withMode(mode))) {
        o.write("data\n".getBytes(StandardCharsets.UTF_8));
      }
      Inode file = new Inode(OWNER, GROUP, mode);
      for (Op op : List.of(Op.READ, Op.WRITE, Op.APPEND, Op.TOUCH, Op.SET_TIMES, Op.SETXATTR, Op.CHMOD)) {
        cases.add(new Case(op, p, op == Op.CHMOD ? Integer.toOctalString(mode) : null, files, file));
      }
    }
    owner.create(f + "/own", CreateOptions.defaults().withMode(0644)).close();
    owner.create(f + "/grp", CreateOptions.defaults().withMode(0644)).close();
    cases.add(new Case(Op.CHOWN, f + "/own", OTHER.user(), files, entry));
    cases.add(new Case(Op.CHGRP, f + "/grp", OWNER_GROUP, files, entry));
    checkFixture(base);
    return cases;
  }

  /**
   * The model assumes the fixture: every inode the owner's, in {@link #GROUP} (inherited from the top), with the mode
   * its name says ({@code dMODE}, {@code fMODE}; {@code files} 0755, the rest 0644).
   */
  private static void checkFixture(String base) throws IOException {
    List<String> dirs = new ArrayList<>(List.of(base));
    for (int i = 0; i < dirs.size(); i++) {
      for (FileInfo e : root.listStatusAll(dirs.get(i))) {
        String p = dirs.get(i) + "/" + e.getName();
        String name = e.getName();
        int mode = name.equals("files") ? 0755 : name.matches("[df][0-7]+") ? Integer.parseInt(name.substring(1), 8)
            : 0644;
        assertEquals(OWNER + ":" + GROUP + " " + Integer.toOctalString(mode),
            e.getOwner() + ":" + e.getGroup() + " " + Integer.toOctalString(e.getMode()), p);
        if (e.getType() == FileType.DIRECTORY) {
          dirs.add(p);
        }
      }
    }
  }

  private static String python() {
    // Not a per-user shim (pyenv under /root): the subjects must be able to run it.
    return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
  }

  /** Runs a program, returns its stdout; fails on a non-zero exit or after 60 s. */
  static String run(String... cmd) throws IOException, InterruptedException {
    Path err = Files.createTempFile("perm-err", ".txt");
    try {
      Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("timed out: " + String.join(" ", cmd));
      }
      assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + Files.readString(err));
      return out;
    } finally {
      Files.deleteIfExists(err);
    }
  }
}
