package io.sluice.cli.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cli.CliCluster;
import io.sluice.cli.CliCluster.Result;
import io.sluice.client.SluiceClient;
import java.io.OutputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice fs pin|unpin} against a real master and worker: the flag, its display in stat, and errors. */
class PinCommandsTest {
  @TempDir
  static Path dir;
  static CliCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = new CliCluster(dir);
    cluster.awaitWorker();
    try (SluiceClient c = cluster.client()) {
      c.mkdir("/p", true);
      try (OutputStream out = c.create("/p/f")) {
        out.write(new byte[10]);
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static boolean pinned(String path) throws Exception {
    try (SluiceClient c = cluster.client()) {
      return c.getStatus(path).getPinned();
    }
  }

  @Test
  void pinAndUnpinSetTheFlagThatStatShows() throws Exception {
    Result r = cluster.run("fs", "pin", "/p/f", "/p");
    assertEquals(0, r.exit(), r.toString());
    assertEquals("pinned /p/f\npinned /p\n", r.out());
    assertTrue(pinned("/p/f"));
    assertTrue(pinned("/p"));
    assertTrue(cluster.run("fs", "stat", "/p/f").out().contains("pinned:     true\n"));

    r = cluster.run("fs", "unpin", "/p/f");
    assertEquals(0, r.exit(), r.toString());
    assertEquals("unpinned /p/f\n", r.out());
    assertFalse(pinned("/p/f"));
    assertTrue(pinned("/p"), "only the path named");
    assertFalse(cluster.run("fs", "stat", "/p/f").out().contains("pinned"));

    // Also at the top level, beside load and free (DESIGN 9: sluice pin|unpin).
    assertEquals(0, cluster.run("pin", "/p/f").exit());
    assertTrue(pinned("/p/f"));
    assertEquals(0, cluster.run("unpin", "/p/f").exit());
    assertFalse(pinned("/p/f"));
  }

  @Test
  void pinningAMissingPathFailsWithExit1NamingIt() {
    Result r = cluster.run("fs", "pin", "/nosuch");
    assertEquals(1, r.exit(), r.toString());
    assertEquals("sluice: /nosuch: No such file or directory\n", r.err());
    assertEquals(2, cluster.run("fs", "unpin").exit(), "a path is required");
  }
}
