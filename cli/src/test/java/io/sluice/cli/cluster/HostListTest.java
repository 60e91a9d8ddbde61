package io.sluice.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cli.CliException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hosts files as {@code conf/masters} and {@code conf/workers} are written, and quoting for the remote shell. */
class HostListTest {
  @TempDir
  Path dir;

  @Test
  void commentsBlankLinesAndDuplicatesAreSkipped() throws Exception {
    Path f = dir.resolve("workers");
    Files.writeString(f, "# workers\n\nhost-a\n  host-b   # rack 2\nhost-a\n\t\n#host-c\n");
    assertEquals(List.of("host-a", "host-b"), HostList.read(f));
  }

  @Test
  void aMissingFileIsNamed() {
    CliException e = assertThrows(CliException.class, () -> HostList.read(dir.resolve("masters")));
    assertTrue(e.path().endsWith("masters"), e.path());
  }

  @Test
  void theShippedExamplesListLocalhost() {
    Path conf = Path.of(System.getProperty("user.dir")).getParent().resolve("conf");
    assertEquals(List.of("localhost"), HostList.read(conf.resolve("masters")));
    assertEquals(List.of("localhost"), HostList.read(conf.resolve("workers")));
  }

  @Test
  void quotingSurvivesSingleQuotes() {
    assertEquals("'/opt/it'\\''s here'", ClusterPlan.quote("/opt/it's here"));
  }
}
