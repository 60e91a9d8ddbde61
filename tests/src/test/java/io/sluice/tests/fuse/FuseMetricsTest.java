package io.sluice.tests.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.SluiceOutputStream;
import io.sluice.common.metrics.Scrape;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real FUSE mount serves {@code /metrics} on its own port: per-operation timers tagged with the op and its
 * outcome (the errno of a failure), and the bytes of READ and WRITE requests.
 */
class FuseMetricsTest {
  @TempDir
  Path dir;

  @Test
  void operationsAreTimedByOpAndOutcome() throws Exception {
    FuseRequirement.assumeFuse();
    try (FuseCluster cluster = new FuseCluster(dir).start()) {
      Path mnt = cluster.mount(dir.resolve("mnt"));
      // Bound on all interfaces (a Prometheus elsewhere scrapes it); asked here on loopback.
      InetSocketAddress http = new InetSocketAddress("127.0.0.1", cluster.mounted().httpAddress().orElseThrow()
          .getPort());

      byte[] written = "written through the mount\n".getBytes(StandardCharsets.UTF_8);
      Files.write(mnt.resolve("a.txt"), written);
      // Written by the client, so no page of it is in the kernel's cache: reading it asks the mount.
      byte[] stored = new byte[10_000];
      Arrays.fill(stored, (byte) 'x');
      try (SluiceOutputStream out = cluster.client().create("/b.bin")) {
        out.write(stored);
      }
      assertArrayEquals(stored, Files.readAllBytes(mnt.resolve("b.bin")));
      try (Stream<Path> names = Files.list(mnt)) {
        assertEquals(List.of("a.txt", "b.bin"), names.map(p -> p.getFileName().toString()).sorted().toList());
      }
      assertFalse(Files.exists(mnt.resolve("missing")));
      assertThrows(NoSuchFileException.class, () -> Files.readAllBytes(mnt.resolve("missing")));

      Scrape m = Scrape.of(http);
      assertTrue(count(m, "getattr", "ENOENT") >= 2, "lookups of the missing name");
      assertTrue(count(m, "getattr", "ok") >= 1);
      assertTrue(count(m, "create", "ok") >= 1);
      assertTrue(count(m, "write", "ok") >= 1);
      assertTrue(count(m, "open", "ok") >= 1);
      assertTrue(count(m, "read", "ok") >= 1);
      assertTrue(count(m, "readdir", "ok") >= 1);
      assertTrue(m.value("sluice_fuse_op_seconds_count", "op", "read", "outcome", "EIO").isEmpty());
      assertTrue(m.require("sluice_fuse_op_seconds_bucket", "op", "getattr", "outcome", "ENOENT", "le", "+Inf")
          >= 2, "the latency histogram");
      assertTrue(m.require("sluice_fuse_read_bytes_total", "server", "fuse") >= stored.length);
      assertTrue(m.require("sluice_fuse_written_bytes_total") >= written.length);
      assertTrue(m.require("jvm_threads_live_threads") > 0, "the JVM meters");
    }
  }

  /** How many times {@code op} answered {@code outcome}, as a scraper sees it. */
  private static double count(Scrape m, String op, String outcome) {
    return m.require("sluice_fuse_op_seconds_count", "op", op, "outcome", outcome, "server", "fuse");
  }
}
