package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.testing.FreePort;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's tour through the real launcher: {@code bin/sluice local start}, {@code fs put}, {@code fs cat},
 * {@code local status}, {@code local stop}, each a separate process, the cluster as background processes.
 */
class LauncherTest {
  private static final Path HOME = Path.of(System.getProperty("user.dir")).getParent();

  @TempDir
  Path dir;

  record Result(int code, byte[] out, String err) {
    String text() {
      return new String(out, StandardCharsets.UTF_8);
    }
  }

  private Result sluice(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(HOME.resolve("bin/sluice").toString());
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + cmd);
    }
    return new Result(p.exitValue(), Files.readAllBytes(out), Files.readString(err));
  }

  @Test
  void readmeTour() throws Exception {
    String master = Integer.toString(FreePort.pick());
    String raft = Integer.toString(FreePort.pick());
    String worker = Integer.toString(FreePort.pick());
    String state = dir.resolve("state").toString();
    String addr = "sluice.master.addresses=localhost:" + master;
    byte[] content = new byte[5 << 20];
    new Random(11).nextBytes(content);
    Path local = dir.resolve("file.bin");
    Files.write(local, content);
    // The MEM tier lives on tmpfs, outside the test's temp dir: a directory of its own there, removed at the end.
    Path mem = Files.createTempDirectory(Path.of("/dev/shm"), "sluice-launcher-test");
    try {
      Result start = sluice("local", "start", "--dir", state, "--master-port", master, "--raft-port", raft,
          "--worker-port", worker, "--worker-capacity", "1g", "--worker-mem-capacity", "256m",
          "--worker-mem-dir", mem.toString());
      assertEquals(0, start.code(), start.err());
      assertTrue(start.text().contains("localhost:" + master), start.text());
      assertTrue(start.text().contains("/local -> file:"), "the local UFS is mounted: " + start.text());
      assertTrue(start.text().contains("MEM:" + mem + ":256m  HDD:"), "a MEM tier, then a disk tier: " + start.text());
      Files.write(Path.of(state, "ufs", "in-ufs.txt"), "from the UFS".getBytes(StandardCharsets.UTF_8));
      Result fromUfs = sluice("fs", "cat", "/local/in-ufs.txt", "--conf", addr);
      assertEquals(0, fromUfs.code(), fromUfs.err());
      assertEquals("from the UFS", new String(fromUfs.out(), StandardCharsets.UTF_8));

      Result again = sluice("local", "start", "--dir", state, "--master-port", master, "--raft-port", raft,
          "--worker-port", worker);
      assertEquals(1, again.code());
      assertTrue(again.err().contains("already running"), again.err());

      assertEquals(0, sluice("fs", "put", local.toString(), "/file.bin", "--conf", addr).code());
      Result cat = sluice("fs", "cat", "/file.bin", "--conf", addr);
      assertEquals(0, cat.code(), cat.err());
      assertArrayEquals(content, cat.out());
      try (Stream<Path> files = Files.walk(mem)) {
        // New blocks go to the fastest tier with room for a whole block (64 MiB): the 5 MiB file is in memory.
        long inMem = files.filter(Files::isRegularFile)
            .filter(f -> f.getParent().getFileName().toString().equals("blocks"))
            .mapToLong(f -> f.toFile().length()).sum();
        assertTrue(inMem >= content.length, "the file's blocks are in the MEM tier: " + inMem + " bytes there");
      }

      Result status = sluice("local", "status", "--dir", state, "--master-port", master);
      assertEquals(0, status.code(), status.text() + status.err());
      assertTrue(status.text().contains("live"), status.text());
    } finally {
      Result stop = sluice("local", "stop", "--dir", state);
      try (Stream<Path> files = Files.walk(mem)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
      assertEquals(0, stop.code(), stop.err());
    }
    assertTrue(sluice("local", "stop", "--dir", state).text().contains("not running"));
    Result after = sluice("local", "status", "--dir", state, "--master-port", master);
    assertEquals(1, after.code());
    assertFalse(after.text().contains("running (pid"), after.text());
    assertTrue(Files.readString(Path.of(state, "logs", "master.log")).contains("serving RPC"),
        "the master logs to its log file");
  }
}
