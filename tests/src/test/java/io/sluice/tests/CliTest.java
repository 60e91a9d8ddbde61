package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cli.SluiceMain;
import io.sluice.common.testing.FreePort;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sluice fs ...} commands in-process against a real cluster: output, errors and exit codes. */
class CliTest {
  @TempDir
  static Path dir;

  private static LocalCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = new LocalCluster(dir.resolve("cluster"), "sluice.user.block.size", "1m");
    cluster.startMaster();
    cluster.startWorker();
    try (var c = cluster.client()) {
      cluster.awaitWorker(c);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    cluster.close();
  }

  /** Exit code, stdout (bytes) and stderr of one command. */
  record Run(int code, byte[] out, String err) {
    String text() {
      return new String(out, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private static Run run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--conf");
    all.add("sluice.master.addresses=" + cluster.conf().get(io.sluice.common.conf.CommonKeys.MASTER_ADDRESSES));
    all.add("--conf");
    all.add("sluice.user.block.size=1m");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    PrintStream oldOut = System.out;
    CommandLine cl = SluiceMain.commandLine();
    cl.setErr(new PrintWriter(err));
    PrintStream capture = new PrintStream(bytes, true);
    cl.setOut(new PrintWriter(capture, true));
    System.setOut(capture);
    try {
      int code = cl.execute(all.toArray(String[]::new));
      capture.flush();
      return new Run(code, bytes.toByteArray(), err.toString());
    } finally {
      System.setOut(oldOut);
    }
  }

  @Test
  void loadAThousandFilesReportsTheOneUnreadableAndCachesTheRest() throws Exception {
    Path ufs = Files.createDirectories(dir.resolve("ufs-for-load"));
    for (int d = 0; d < 10; d++) {
      Path sub = Files.createDirectories(ufs.resolve("d" + d));
      for (int f = 0; f < 100; f++) {
        Files.write(sub.resolve("f" + f), new byte[1000 + f]);
      }
    }
    // A link out of the UFS root: listed like a file, refused when read (the connector keeps reads inside).
    Path outside = Files.write(dir.resolve("outside.bin"), new byte[10]);
    Files.createSymbolicLink(ufs.resolve("d0").resolve("escape.bin"), outside);
    assertEquals(0, run("mount", "/load-mnt", ufs.toUri().toString()).code());
    Run load = run("load", "/load-mnt", "--watch");
    assertEquals(1, load.code(), "one file failed: " + load.text() + load.err());
    assertTrue(load.text().contains("1000/1001 files (1 failed)"), load.text());
    assertTrue(load.text().contains("failed: /load-mnt/d0/escape.bin: "), load.text());
    try (var client = cluster.client()) {
      for (String f : List.of("/load-mnt/d0/f0", "/load-mnt/d5/f50", "/load-mnt/d9/f99")) {
        assertTrue(client.getBlockLocations(f).stream().allMatch(b -> b.getCached()), f + " is cached");
      }
    }
    Run again = run("load", "/load-mnt/d1", "--watch");
    assertEquals(0, again.code(), again.text() + again.err());
    assertTrue(again.text().contains("succeeded 100/100 files (0 failed)"), "already cached: " + again.text());
    assertEquals(0, run("umount", "/load-mnt").code());
  }

  @Test
  void mountListReadAndUnmountALocalDirectory() throws Exception {
    Path ufs = Files.createDirectories(dir.resolve("ufs-for-cli/logs"));
    byte[] content = new byte[1024 * 1024 + 5];
    new Random(7).nextBytes(content);
    Files.write(ufs.resolve("day1.log"), content);
    String uri = dir.resolve("ufs-for-cli").toUri().toString();
    Run mount = run("mount", "/cli-mnt", uri, "--sync-interval", "5m", "--option", "secret.key=hunter2");
    assertEquals(0, mount.code(), mount.err());
    Run table = run("mounts");
    assertEquals(0, table.code(), table.err());
    assertTrue(table.text().contains("/cli-mnt"), table.text());
    assertTrue(table.text().contains("5m"), table.text());
    assertFalse(table.text().contains("hunter2"), "secrets are masked: " + table.text());
    Run ls = run("fs", "ls", "/cli-mnt/logs");
    assertEquals(0, ls.code(), ls.err());
    assertTrue(ls.text().contains("day1.log"), ls.text());
    Run cat = run("fs", "cat", "/cli-mnt/logs/day1.log");
    assertEquals(0, cat.code(), cat.err());
    assertArrayEquals(content, cat.out());
    Run free = run("free", "/cli-mnt");
    assertEquals(0, free.code(), free.err());
    assertTrue(free.text().contains("freed 1 blocks of 1 files"), free.text());
    Run again = run("mount", "/cli-mnt", uri);
    assertEquals(1, again.code());
    assertTrue(again.err().contains("/cli-mnt"), again.err());
    Run unreachable = run("mount", "/cli-other", dir.resolve("does-not-exist").toUri().toString());
    assertEquals(1, unreachable.code());
    assertFalse(unreachable.err().isBlank());
    assertEquals(0, run("umount", "/cli-mnt").code());
    assertEquals(1, run("fs", "ls", "/cli-mnt").code());
    assertTrue(Files.exists(ufs.resolve("day1.log")));
  }

  @Test
  void putLsCatGetMvRm() throws Exception {
    byte[] content = new byte[3 * 1024 * 1024 + 17];
    new Random(5).nextBytes(content);
    Path local = dir.resolve("input.bin");
    Files.write(local, content);

    assertEquals(0, run("fs", "mkdir", "-p", "/cli/a").code());
    Run put = run("fs", "put", local.toString(), "/cli/a/");
    assertEquals(0, put.code(), put.err());
    assertEquals("input.bin\n", run("fs", "ls", "/cli/a").text());
    assertTrue(run("fs", "ls", "-l", "/cli/a").text().contains(" " + content.length + " "));
    String stat = run("fs", "stat", "/cli/a/input.bin").text();
    assertTrue(stat.contains("blocks:     4"), stat);

    Run cat = run("fs", "cat", "/cli/a/input.bin");
    assertEquals(0, cat.code(), cat.err());
    assertArrayEquals(content, cat.out());

    assertEquals(0, run("fs", "mv", "/cli/a/input.bin", "/cli/a/renamed.bin").code());
    Path back = dir.resolve("back.bin");
    Run get = run("fs", "get", "/cli/a/renamed.bin", back.toString());
    assertEquals(0, get.code(), get.err());
    assertArrayEquals(content, Files.readAllBytes(back));

    assertEquals(0, run("fs", "rm", "-r", "/cli").code());
    assertFalse(run("fs", "ls", "/").text().lines().anyMatch("cli/"::equals), "removed with its contents");
    assertEquals(1, run("fs", "stat", "/cli").code());
  }

  @Test
  void errorsAreOneLineWithExitCodeOne() {
    Run missing = run("fs", "cat", "/no/such/file");
    assertEquals(1, missing.code());
    assertEquals("sluice: /no/such/file: No such file or directory\n", missing.err());

    assertEquals(0, run("fs", "mkdir", "/exists").code());
    Run exists = run("fs", "mkdir", "/exists");
    assertEquals(1, exists.code());
    assertEquals("sluice: /exists: File exists\n", exists.err());

    assertEquals(0, run("fs", "mkdir", "/full/sub", "-p").code());
    Run notEmpty = run("fs", "rm", "/full");
    assertEquals(1, notEmpty.code());
    assertTrue(notEmpty.err().startsWith("sluice: /full: "), notEmpty.err());
    assertFalse(notEmpty.err().contains("Exception"), notEmpty.err());

    Run localMissing = run("fs", "put", dir.resolve("absent").toString(), "/x");
    assertEquals(1, localMissing.code());
    assertTrue(localMissing.err().contains("No such file or directory"), localMissing.err());
  }

  @Test
  void chmodChownAndPermissionDeniedForAnotherUser() {
    assertEquals(0, run("fs", "mkdir", "/perm").code());
    assertEquals(0, run("fs", "chmod", "1777", "/perm").code());
    String root = run("fs", "ls", "-l", "/").text();
    assertTrue(root.lines().anyMatch(l -> l.startsWith("drwxrwxrwt") && l.endsWith(" perm")), root);
    assertEquals(0, run("fs", "mkdir", "/perm/mine", "--conf", "sluice.user.name=bob").code());
    assertEquals(0, run("fs", "chmod", "700", "/perm/mine", "--conf", "sluice.user.name=bob").code());
    Run denied = run("fs", "ls", "/perm/mine", "--conf", "sluice.user.name=eve");
    assertEquals(1, denied.code());
    assertEquals("sluice: /perm/mine: Permission denied\n", denied.err());
    Run giveAway = run("fs", "chown", "eve", "/perm/mine", "--conf", "sluice.user.name=bob");
    assertEquals(1, giveAway.code(), "only the superuser changes owners");
    assertEquals(0, run("fs", "chown", "eve:eve", "/perm/mine").code(), "the master's user is the superuser");
    assertEquals(0, run("fs", "ls", "/perm/mine", "--conf", "sluice.user.name=eve").code());
    Run symbolic = run("fs", "chmod", "u+x", "/perm");
    assertEquals(2, symbolic.code(), "a mode that is not octal is a usage error");
    assertTrue(symbolic.err().contains("octal"), symbolic.err());
  }

  @Test
  void aJobStartedWithoutWatchIsFollowedLaterByItsId() throws Exception {
    Path ufs = Files.createDirectories(dir.resolve("ufs-for-job"));
    for (int f = 0; f < 3; f++) {
      Files.write(ufs.resolve("f" + f), new byte[5000 + f]);
    }
    assertEquals(0, run("mount", "/job-mnt", ufs.toUri().toString()).code());
    Run load = run("load", "/job-mnt");
    assertEquals(0, load.code(), load.err());
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("load job (\\d+) started for /job-mnt")
        .matcher(load.text());
    assertTrue(m.find(), load.text());
    String id = m.group(1);
    Run watched = run("job", id, "--watch");
    assertEquals(0, watched.code(), watched.text() + watched.err());
    assertTrue(watched.text().contains("succeeded 3/3 files (0 failed)"), watched.text());
    Run once = run("job", id);
    assertEquals(0, once.code(), once.err());
    assertTrue(once.text().startsWith("load job " + id + " on /job-mnt: succeeded 3/3 files"), once.text());
    Run unknown = run("job", "42");
    assertEquals(1, unknown.code());
    assertTrue(unknown.err().contains("no load job 42"), unknown.err());
    assertEquals(2, run("job", "not-a-number").code());
    assertEquals(0, run("umount", "/job-mnt").code());
  }

  @Test
  void ttlIsSetShownByStatAndUnset() throws Exception {
    assertEquals(0, run("fs", "mkdir", "/ttl-dir").code());
    Run set = run("ttl", "/ttl-dir", "7d");
    assertEquals(0, set.code(), set.err());
    io.sluice.common.proto.FileInfo info;
    try (var client = cluster.client()) {
      info = client.getStatus("/ttl-dir");
    }
    assertEquals(java.time.Duration.ofDays(7).toMillis(), info.getTtlMs());
    assertEquals(io.sluice.common.proto.TtlAction.TTL_FREE, info.getTtlAction(), "free unless delete is asked for");
    String expires = java.time.Instant.ofEpochMilli(info.getCreatedMs() + info.getTtlMs()).toString();
    assertEquals("/ttl-dir: TTL 7d, free, expires " + expires + "\n", set.text());
    Run stat = run("fs", "stat", "/ttl-dir");
    assertEquals(0, stat.code(), stat.err());
    assertTrue(stat.text().contains("ttl:        7d, free, expires " + expires + "\n"), stat.text());

    Run delete = run("ttl", "/ttl-dir", "12h", "--action", "delete");
    assertEquals(0, delete.code(), delete.err());
    assertTrue(delete.text().startsWith("/ttl-dir: TTL 12h, delete, expires "), delete.text());

    Run unset = run("ttl", "/ttl-dir", "--unset");
    assertEquals(0, unset.code(), unset.err());
    assertEquals("/ttl-dir: TTL removed\n", unset.text());
    assertFalse(run("fs", "stat", "/ttl-dir").text().contains("ttl:"), "no TTL line without a TTL");
    try (var client = cluster.client()) {
      assertEquals(0, client.getStatus("/ttl-dir").getTtlMs());
    }

    Run badDuration = run("ttl", "/ttl-dir", "soon");
    assertEquals(2, badDuration.code());
    assertTrue(badDuration.err().contains("'soon' is not a duration"), badDuration.err());
    assertEquals(2, run("ttl", "/ttl-dir").code(), "neither a duration nor --unset");
    assertEquals(2, run("ttl", "/ttl-dir", "1d", "--unset").code(), "both");
    assertEquals(2, run("ttl", "/ttl-dir", "1d", "--action", "shred").code());
    assertEquals(2, run("ttl", "/ttl-dir", "never").code());
    Run missing = run("ttl", "/no-such-ttl", "1d");
    assertEquals(1, missing.code());
    assertEquals("sluice: /no-such-ttl: No such file or directory\n", missing.err());
    Run denied = run("ttl", "/ttl-dir", "1d", "--conf", "sluice.user.name=eve");
    assertEquals(1, denied.code(), "eve may not write the superuser's directory");
    assertEquals("sluice: /ttl-dir: Permission denied\n", denied.err());
  }

  @Test
  void usageErrorsExitTwo() {
    assertEquals(2, run("fs", "mv", "/only-one-arg").code());
    assertEquals(2, run("fs", "no-such-command").code());
  }

  @Test
  void unreachableMasterIsOneClearLine() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    CommandLine cl = SluiceMain.commandLine();
    cl.setErr(new PrintWriter(err));
    cl.setOut(new PrintWriter(bytes));
    int code = cl.execute("fs", "ls", "/", "--conf", "sluice.master.addresses=127.0.0.1:" + FreePort.pick(),
        "--conf", "sluice.user.master.retry.budget=1s");
    assertEquals(1, code);
    assertTrue(err.toString().startsWith("sluice: "), err.toString());
    assertEquals(1, err.toString().lines().count(), err.toString());
  }
}
