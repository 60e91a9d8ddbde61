package io.sluice.cli.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.sluice.cli.CliCluster;
import io.sluice.cli.CliCluster.Result;
import io.sluice.client.SluiceClient;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.ListStatusResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code sluice fs} commands against a real master and worker: output, JSON, errors and exit codes. */
class FsCommandsTest {
  @TempDir
  static Path dir;
  static CliCluster cluster;
  /** 3000 bytes: "0123456789" repeated. */
  static final byte[] DIGITS = "0123456789".repeat(300).getBytes(StandardCharsets.US_ASCII);

  @BeforeAll
  static void start() throws Exception {
    cluster = new CliCluster(dir);
    cluster.awaitWorker();
    try (SluiceClient c = cluster.client()) {
      c.mkdir("/t/sub", true);
      write(c, "/t/digits", DIGITS);
      write(c, "/t/sub/a", new byte[100]);
      write(c, "/t/sub/b", new byte[20]);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static void write(SluiceClient c, String path, byte[] data) throws Exception {
    try (OutputStream out = c.create(path)) {
      out.write(data);
    }
  }

  private static byte[] read(String path) throws Exception {
    try (SluiceClient c = cluster.client(); InputStream in = c.open(path)) {
      return in.readAllBytes();
    }
  }

  private static void ok(Result r) {
    assertEquals(0, r.exit(), r.toString());
    assertEquals("", r.err(), r.toString());
  }

  @Test
  void headPrintsTheFirstKibOrTheBytesAsked() {
    Result r = cluster.run("fs", "head", "/t/digits");
    ok(r);
    assertEquals(new String(DIGITS, 0, 1024, StandardCharsets.US_ASCII), r.out());
    r = cluster.run("fs", "head", "-c", "15", "/t/digits");
    ok(r);
    assertEquals("012345678901234", r.out());
    r = cluster.run("fs", "head", "-c", "1m", "/t/digits");
    ok(r);
    assertEquals(3000, r.out().length(), "all of a shorter file");
  }

  @Test
  void tailPrintsTheLastKibOrTheBytesAsked() {
    Result r = cluster.run("fs", "tail", "/t/digits");
    ok(r);
    assertEquals(new String(DIGITS, 3000 - 1024, 1024, StandardCharsets.US_ASCII), r.out());
    r = cluster.run("fs", "tail", "-c", "4", "/t/digits");
    ok(r);
    assertEquals("6789", r.out());
    r = cluster.run("fs", "tail", "-c", "10k", "/t/digits");
    ok(r);
    assertEquals(3000, r.out().length());
  }

  @Test
  void cpCopiesAFileToANameOrIntoADirectory() throws Exception {
    ok(cluster.run("fs", "mkdir", "/cp"));
    ok(cluster.run("fs", "cp", "/t/digits", "/cp/copy"));
    assertArrayEquals(DIGITS, read("/cp/copy"));
    ok(cluster.run("fs", "cp", "/t/digits", "/cp"));
    assertArrayEquals(DIGITS, read("/cp/digits"));

    Result exists = cluster.run("fs", "cp", "/t/sub/a", "/cp/copy");
    assertEquals(1, exists.exit(), exists.toString());
    assertEquals("sluice: /cp/copy: File exists\n", exists.err());
    ok(cluster.run("fs", "cp", "-f", "/t/sub/a", "/cp/copy"));
    assertArrayEquals(new byte[100], read("/cp/copy"));

    Result dirSrc = cluster.run("fs", "cp", "/t", "/cp/x");
    assertEquals(1, dirSrc.exit(), dirSrc.toString());
    assertTrue(dirSrc.err().startsWith("sluice: /t: Is a directory"), dirSrc.toString());
  }

  @Test
  void putAndGetRoundTripWithoutProgressNoiseOffATerminal() throws Exception {
    Path local = dir.resolve("local-in");
    java.nio.file.Files.write(local, DIGITS);
    ok(cluster.run("fs", "put", local.toString(), "/put"));
    assertArrayEquals(DIGITS, read("/put"));
    Path back = dir.resolve("local-out");
    ok(cluster.run("fs", "get", "/put", back.toString()));
    assertArrayEquals(DIGITS, java.nio.file.Files.readAllBytes(back));
  }

  @Test
  void touchCreatesMissingFilesAndUpdatesTimesOfExistingOnes() throws Exception {
    ok(cluster.run("fs", "touch", "/touched"));
    FileInfo created;
    try (SluiceClient c = cluster.client()) {
      created = c.getStatus("/touched");
      assertEquals(FileType.FILE, created.getType());
      assertEquals(0, created.getLength());
      c.setTimes("/touched", 1000, 1000);
    }
    ok(cluster.run("fs", "touch", "/touched"));
    try (SluiceClient c = cluster.client()) {
      assertTrue(c.getStatus("/touched").getMtimeMs() >= created.getMtimeMs(), "set to now again");
    }
    Result noParent = cluster.run("fs", "touch", "/nodir/f");
    assertEquals(1, noParent.exit(), noParent.toString());
    assertTrue(noParent.err().startsWith("sluice: /nodir/f: No such file or directory"), noParent.toString());
  }

  @Test
  void lnMakesASymbolicLinkAndRequiresMinusS() throws Exception {
    ok(cluster.run("fs", "ln", "-s", "/t/digits", "/link"));
    try (SluiceClient c = cluster.client()) {
      FileInfo l = c.getStatus("/link");
      assertEquals(FileType.SYMLINK, l.getType());
      assertEquals("/t/digits", l.getSymlinkTarget());
    }
    Result again = cluster.run("fs", "ln", "-s", "/t/digits", "/link");
    assertEquals(1, again.exit(), again.toString());
    assertEquals("sluice: /link: File exists\n", again.err());
    Result noS = cluster.run("fs", "ln", "/t/digits", "/link2");
    assertEquals(2, noS.exit(), noS.toString());
    assertTrue(noS.err().contains("Missing required option: '-s'"), noS.toString());
  }

  @Test
  void duListsEachEntryOrSummarizes() throws Exception {
    Result r = cluster.run("fs", "du", "/t");
    ok(r);
    assertEquals(List.of("3000  /t/digits", " 120  /t/sub"), r.out().lines().toList());
    r = cluster.run("fs", "du", "-s", "-h", "/t");
    ok(r);
    assertEquals("3.0KiB  /t\n", r.out());
    r = cluster.run("fs", "du", "-s", "/t/sub", "--output", "json");
    ok(r);
    Struct s = array(r.out()).get(0).getStructValue();
    assertEquals("/t/sub", s.getFieldsOrThrow("path").getStringValue());
    assertEquals("120", s.getFieldsOrThrow("bytes").getStringValue());
    assertEquals("2", s.getFieldsOrThrow("files").getStringValue());
  }

  @Test
  void countCountsDirectoriesFilesAndBytes() throws Exception {
    Result r = cluster.run("fs", "count", "/t");
    ok(r);
    assertEquals(List.of("DIRS  FILES  BYTES  PATH", "   2      3   3120  /t"), r.out().lines().toList());
    r = cluster.run("fs", "count", "/t/sub/a", "--output", "json");
    ok(r);
    Struct s = array(r.out()).get(0).getStructValue();
    assertEquals("0", s.getFieldsOrThrow("dirs").getStringValue());
    assertEquals("1", s.getFieldsOrThrow("files").getStringValue());
    assertEquals("100", s.getFieldsOrThrow("bytes").getStringValue());
  }

  @Test
  void dfShowsTheWorkersCapacity() throws Exception {
    Result r = cluster.run("fs", "df");
    ok(r);
    List<String> lines = r.out().lines().toList();
    assertTrue(lines.get(0).matches("\\s*SIZE\\s+USED\\s+AVAIL\\s+USE%\\s+INODES\\s+WORKERS"), r.toString());
    assertTrue(lines.get(1).matches("\\s*67108864\\s+\\d+\\s+\\d+\\s+\\d+%\\s+\\d+\\s+1"), r.toString());
    r = cluster.run("fs", "df", "-h");
    ok(r);
    assertTrue(r.out().lines().toList().get(1).trim().startsWith("64.0MiB"), r.toString());
    r = cluster.run("fs", "df", "--output", "json");
    ok(r);
    Struct s = struct(r.out());
    assertEquals("67108864", s.getFieldsOrThrow("capacityBytes").getStringValue());
    assertEquals("1", s.getFieldsOrThrow("liveWorkers").getStringValue());
  }

  @Test
  void lsAndStatPrintJsonThatParsesBackIntoTheirMessages() throws Exception {
    Result r = cluster.run("fs", "ls", "/t", "--output", "json");
    ok(r);
    ListStatusResponse.Builder ls = ListStatusResponse.newBuilder();
    JsonFormat.parser().merge(r.out(), ls);
    assertEquals(List.of("digits", "sub"), ls.getEntriesList().stream().map(FileInfo::getName).toList());
    assertEquals(3000, ls.getEntries(0).getLength());

    r = cluster.run("fs", "stat", "/t/digits", "--output", "json");
    ok(r);
    FileInfo.Builder f = FileInfo.newBuilder();
    JsonFormat.parser().merge(r.out(), f);
    assertEquals(FileType.FILE, f.getType());
    assertEquals(3000, f.getLength());
    assertEquals(1, r.out().lines().count(), "one line");
  }

  @Test
  void aMissingPathFailsWithExit1NamingIt() {
    for (String[] cmd : new String[][] {{"ls", "/nosuch"}, {"stat", "/nosuch"}, {"head", "/nosuch"},
        {"tail", "/nosuch"}, {"cp", "/nosuch", "/x"}, {"du", "/nosuch"}, {"count", "/nosuch"},
        {"cat", "/nosuch"}}) {
      String[] args = new String[cmd.length + 1];
      args[0] = "fs";
      System.arraycopy(cmd, 0, args, 1, cmd.length);
      Result r = cluster.run(args);
      assertEquals(1, r.exit(), Arrays.toString(cmd) + ": " + r);
      assertEquals("sluice: /nosuch: No such file or directory\n", r.err(), Arrays.toString(cmd));
      assertEquals("", r.out(), Arrays.toString(cmd));
    }
  }

  @Test
  void aMasterThatIsDownFailsWithinSecondsNamingItsAddress() throws Exception {
    String down = "127.0.0.1:" + CliCluster.freePort();
    Map<String, String> conf = new LinkedHashMap<>(cluster.conf());
    conf.put("sluice.master.addresses", down);
    for (String[] cmd : new String[][] {{"fs", "ls", "/"}, {"fs", "df"}, {"fs", "touch", "/x"},
        {"mounts"}}) {
      long start = System.nanoTime();
      Result r = CliCluster.run(conf, cmd);
      assertEquals(1, r.exit(), r.toString());
      assertTrue(r.err().startsWith("sluice: ") && r.err().contains("cluster unavailable: ")
          && r.err().contains(down), r.toString());
      assertEquals(1, r.err().lines().count(), "one line, no stack trace: " + r);
      assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(15)) < 0,
          Arrays.toString(cmd));
    }
  }

  @Test
  void lsMinusRListsEveryDirectoryUnderThePathDepthFirst() throws Exception {
    Result r = cluster.run("fs", "ls", "-R", "/t");
    ok(r);
    assertEquals(List.of("/t:", "digits", "sub/", "", "/t/sub:", "a", "b"), r.out().lines().toList());
    r = cluster.run("fs", "ls", "-R", "/t", "--output", "json");
    ok(r);
    ListStatusResponse.Builder ls = ListStatusResponse.newBuilder();
    JsonFormat.parser().merge(r.out(), ls);
    assertEquals(List.of("digits", "sub", "sub/a", "sub/b"), ls.getEntriesList().stream().map(FileInfo::getName)
        .toList());
  }

  @Test
  void chmodAndChownMinusRChangeEverythingUnderButNotThroughLinks() throws Exception {
    try (SluiceClient c = cluster.client()) {
      c.mkdir("/r/d", true);
      write(c, "/r/d/f", new byte[3]);
      c.createSymlink("/r/out", "/t/digits"); // a link out of the tree: left alone, never followed
    }
    ok(cluster.run("fs", "chmod", "-R", "700", "/r"));
    ok(cluster.run("fs", "chown", "-R", "bob:staff", "/r"));
    try (SluiceClient c = cluster.client()) {
      for (String p : List.of("/r", "/r/d", "/r/d/f")) {
        FileInfo f = c.getStatus(p);
        assertEquals(0700, f.getMode(), p);
        assertEquals("bob", f.getOwner(), p);
        assertEquals("staff", f.getGroup(), p);
      }
      FileInfo target = c.getStatus("/t/digits");
      assertTrue(target.getMode() != 0700 && !target.getOwner().equals("bob"), target.toString());
    }
    Result missing = cluster.run("fs", "chmod", "-R", "700", "/r/none");
    assertEquals(1, missing.exit(), missing.toString());
  }

  /** The CRC32C of what was written, computed here independently, and the length. */
  @Test
  void checksumPrintsEachFilesCrc32cAndLength() throws Exception {
    CRC32C crc = new CRC32C();
    crc.update(DIGITS);
    String want = String.format("%08x", crc.getValue());
    Result r = cluster.run("fs", "checksum", "/t/digits");
    ok(r);
    assertEquals("CRC32C " + want + " 3000 /t/digits\n", r.out());
    r = cluster.run("fs", "checksum", "/t/digits", "/t/sub/b", "--output", "json");
    ok(r);
    List<Value> all = array(r.out());
    assertEquals(want, all.get(0).getStructValue().getFieldsOrThrow("crc32c").getStringValue());
    assertEquals("20", all.get(1).getStructValue().getFieldsOrThrow("length").getStringValue());
    Result dir = cluster.run("fs", "checksum", "/t");
    assertEquals(1, dir.exit(), dir.toString());
  }

  @Test
  void cpMinusRCopiesATreeWithItsLinksAndRefusesToCopyIntoItself() throws Exception {
    try (SluiceClient c = cluster.client()) {
      c.mkdir("/src/sub", true);
      write(c, "/src/sub/x", DIGITS);
      c.createSymlink("/src/l", "sub/x");
      c.mkdir("/into", false);
    }
    ok(cluster.run("fs", "cp", "-r", "/src", "/copy"));
    ok(cluster.run("fs", "cp", "-r", "/src", "/into"));
    try (SluiceClient c = cluster.client()) {
      for (String root : List.of("/copy", "/into/src")) {
        try (var in = c.open(root + "/sub/x")) {
          assertEquals(new String(DIGITS, StandardCharsets.US_ASCII), new String(in.readAllBytes(),
              StandardCharsets.US_ASCII), root);
        }
        assertEquals("sub/x", c.getStatus(root + "/l").getSymlinkTarget(), "a link is copied as a link");
      }
    }
    Result itself = cluster.run("fs", "cp", "-r", "/src", "/src/sub");
    assertEquals(1, itself.exit(), itself.toString());
    assertTrue(itself.err().contains("into itself"), itself.toString());
    Result noR = cluster.run("fs", "cp", "/src", "/other");
    assertEquals(1, noR.exit(), noR.toString());
    assertTrue(noR.err().contains("Is a directory"), noR.toString());
  }

  @Test
  void usageErrorsExit2() {
    assertEquals(2, cluster.run("fs", "head", "-c", "lots", "/t/digits").exit());
    assertEquals(2, cluster.run("fs", "tail", "-c", "-5", "/t/digits").exit());
    assertEquals(2, cluster.run("fs", "cp", "/t/digits").exit());
    assertEquals(2, cluster.run("fs", "chmod", "9z9", "/t/digits").exit());
    assertEquals(2, cluster.run("fs", "chown", "a:", "/t/digits").exit());
    assertEquals(2, cluster.run("fs", "ls", "--output", "xml", "/").exit());
    assertEquals(2, cluster.run("fs", "nosuch").exit());
    assertEquals(2, CliCluster.runRaw().exit());
  }

  static Struct struct(String json) throws Exception {
    Struct.Builder b = Struct.newBuilder();
    JsonFormat.parser().merge(json, b);
    return b.build();
  }

  static List<Value> array(String json) throws Exception {
    Value.Builder b = Value.newBuilder();
    JsonFormat.parser().merge(json, b);
    return b.getListValue().getValuesList();
  }
}
