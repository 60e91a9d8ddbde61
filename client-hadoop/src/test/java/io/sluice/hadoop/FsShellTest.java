package io.sluice.hadoop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FsShell;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.ToolRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hadoop fs} (Hadoop's {@link FsShell}, run in this JVM through {@link ToolRunner}) on {@code sluice://}
 * against the live test cluster: every command's exit code and parsed output, and the namespace afterwards seen
 * through the FileSystem API.
 */
class FsShellTest {
  private static final String ROOT = "/fsshell";
  /** One {@code -ls} line: permissions, replication ("-" for a directory), owner, group, size, date, time, path. */
  private static final Pattern LS_LINE = Pattern.compile(
      "^([dl-][rwxtsTS-]{9})\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\d+)\\s+(\\S+ \\S+)\\s+(\\S+)$");

  private static Configuration conf;
  private static FileSystem fs;

  /** What a command printed and answered. */
  private record Run(int exit, byte[] out, String err) {
    String text() {
      return new String(out, StandardCharsets.UTF_8);
    }

    List<String> lines() {
      return text().lines().filter(l -> !l.isBlank()).toList();
    }
  }

  @BeforeAll
  static void connect() throws IOException {
    conf = MiniSluiceCluster.get().hadoopConf();
    fs = FileSystem.newInstance(MiniSluiceCluster.get().uri(), conf);
    fs.delete(new Path(ROOT), true);
  }

  @AfterAll
  static void close() throws IOException {
    fs.delete(new Path(ROOT), true);
    fs.close();
  }

  /**
   * Runs {@code hadoop fs args} with stdout and stderr captured. FsShell's commands take {@code System.out} and
   * {@code System.err} when they are made, which is per run, so swapping them around the run captures its output.
   */
  private static Run shell(String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    int exit;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      System.setOut(o);
      System.setErr(e);
      FsShell shell = new FsShell(conf);
      try {
        exit = ToolRunner.run(shell, args);
      } finally {
        shell.close();
      }
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return new Run(exit, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
  }

  private static Run ok(String... args) throws Exception {
    Run r = shell(args);
    assertEquals(0, r.exit(), () -> String.join(" ", args) + " failed: " + r.err());
    return r;
  }

  /** The {@code -ls} line of {@code path}, parsed. */
  private static Matcher lsEntry(Run ls, String path) {
    for (String line : ls.lines()) {
      Matcher m = LS_LINE.matcher(line);
      if (m.matches() && m.group(7).equals(path)) {
        return m;
      }
    }
    throw new AssertionError("no -ls line for " + path + " in:\n" + ls.text());
  }

  @Test
  void commandsChangeAndReportTheNamespace(@TempDir java.nio.file.Path local) throws Exception {
    byte[] data = new byte[300_000 + 17];
    new Random(7).nextBytes(data);
    java.nio.file.Path src = local.resolve("data.bin");
    Files.write(src, data);
    String dir = ROOT + "/a/b/c";
    String file = dir + "/data.bin";

    ok("-mkdir", "-p", dir);
    assertTrue(fs.getFileStatus(new Path(dir)).isDirectory());
    assertEquals(0, shell("-mkdir", "-p", dir).exit(), "-p: an existing directory is fine");

    ok("-put", src.toString(), file);
    assertEquals(data.length, fs.getFileStatus(new Path(file)).getLen());
    ok("-put", src.toString(), dir + "/second.bin");

    Run ls = ok("-ls", dir);
    assertTrue(ls.lines().get(0).startsWith("Found 2 items"), ls.text());
    Matcher entry = lsEntry(ls, file);
    assertEquals('-', entry.group(1).charAt(0), "a file");
    assertEquals(Long.toString(data.length), entry.group(5));
    FileStatus st = fs.getFileStatus(new Path(file));
    assertEquals(st.getPermission().toString(), entry.group(1).substring(1));
    assertEquals(st.getOwner(), entry.group(3));
    assertEquals(st.getGroup(), entry.group(4));
    Matcher parent = lsEntry(ok("-ls", ROOT + "/a/b"), dir);
    assertEquals('d', parent.group(1).charAt(0));
    assertEquals("-", parent.group(2), "directories show no replication");

    Run cat = ok("-cat", file);
    assertArrayEquals(data, cat.out(), "-cat gives the bytes put");

    ok("-chmod", "640", file);
    assertEquals(new FsPermission((short) 0640), fs.getFileStatus(new Path(file)).getPermission());
    assertEquals("-rw-r-----", lsEntry(ok("-ls", file), file).group(1));
    ok("-chmod", "-R", "750", ROOT + "/a");
    assertEquals(new FsPermission((short) 0750), fs.getFileStatus(new Path(dir + "/second.bin")).getPermission());
    assertEquals(new FsPermission((short) 0750), fs.getFileStatus(new Path(ROOT + "/a/b")).getPermission());

    // -du: "size  space-consumed  path" per entry; -s sums the directory.
    Run du = ok("-du", dir);
    assertEquals(2, du.lines().size(), du.text());
    for (String line : du.lines()) {
      String[] cols = line.trim().split("\\s+");
      assertEquals(Long.toString(data.length), cols[0], line);
    }
    String[] total = ok("-du", "-s", ROOT + "/a").lines().get(0).trim().split("\\s+");
    assertEquals(Long.toString(2L * data.length), total[0]);
    assertEquals(ROOT + "/a", total[total.length - 1]);

    // -count: "dirs files bytes path"; the directory counts itself.
    String[] count = ok("-count", ROOT + "/a").lines().get(0).trim().split("\\s+");
    assertEquals(List.of("3", "2", Long.toString(2L * data.length), ROOT + "/a"), Arrays.asList(count));

    ok("-mkdir", ROOT + "/moved");
    ok("-mv", file, ROOT + "/moved/");
    assertFalse(fs.exists(new Path(file)));
    assertEquals(data.length, fs.getFileStatus(new Path(ROOT + "/moved/data.bin")).getLen());
    assertArrayEquals(data, ok("-cat", ROOT + "/moved/data.bin").out(), "the bytes moved with the name");

    Run rm = ok("-rm", ROOT + "/moved/data.bin");
    assertTrue(rm.text().contains("Deleted " + ROOT + "/moved/data.bin"), rm.text());
    assertFalse(fs.exists(new Path(ROOT + "/moved/data.bin")));

    Run notRecursive = shell("-rm", ROOT + "/a");
    assertNotEquals(0, notRecursive.exit(), "-rm of a directory needs -r");
    assertTrue(notRecursive.err().contains("Is a directory"), notRecursive.err());
    assertTrue(fs.exists(new Path(dir + "/second.bin")));
    ok("-rm", "-r", ROOT + "/a");
    assertFalse(fs.exists(new Path(ROOT + "/a")));
    assertEquals(List.of(ROOT + "/moved"),
        Arrays.stream(fs.listStatus(new Path(ROOT))).map(s -> s.getPath().toUri().getPath()).toList());
  }

  @Test
  void catOfAMissingFileFails() throws Exception {
    Run r = shell("-cat", ROOT + "/no/such/file");
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("No such file or directory"), r.err());
    assertEquals(0, r.out().length);
  }
}
