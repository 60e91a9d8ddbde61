package io.sluice.tests.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceOutputStream;
import io.sluice.common.metrics.Scrape;
import io.sluice.common.proto.MasterMethod;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stat-ahead on a real mount: a program that stats a directory's files by name in sorted order, without listing the
 * directory (as {@code stat d/*} does), costs the master a listing page per page of names and a few single lookups,
 * not a GET_STATUS per file; and it sees every file's own size. Lookups in another order, or with a change through
 * the mount between them, are asked one by one. Master calls are counted on the master's /metrics.
 */
class FuseStatAheadTest {
  private static final int FILES = 240;

  @TempDir
  Path dir;

  /** GET_STATUS and LIST_STATUS calls the master answered; statuses the mount counted as listed ahead. */
  private record Calls(double status, double list, double keptAhead) {}

  /**
   * The calls while python stat-ed /d's files in {@code order} (an expression over {@code names}), running
   * {@code between} (a statement on {@code n}) after each stat.
   */
  private Calls statFiles(String order, String between, String... conf) throws Exception {
    FuseRequirement.assumeFuse();
    List<String> settings = new ArrayList<>(List.of("sluice.master.http.port", "0",
        // The test stats 240 files; with the kernel's entries short-lived, nothing but the mount answers twice.
        "sluice.fuse.status.cache.ttl", "60s"));
    settings.addAll(List.of(conf));
    try (FuseCluster cluster = new FuseCluster(dir, settings.toArray(new String[0])).start()) {
      SluiceClient client = cluster.client();
      client.mkdir("/d", false);
      for (int i = 0; i < FILES; i++) {
        try (SluiceOutputStream out = client.create(String.format("/d/f%04d", i))) {
          out.write(new byte[i % 7 + 1]);
        }
      }
      Path mnt = cluster.mount(dir.resolve("mnt"));
      double status = cluster.masterCalls(MasterMethod.GET_STATUS_VALUE);
      double list = cluster.masterCalls(MasterMethod.LIST_STATUS_VALUE);

      // Names made up, not listed: the mount learns of no directory listing from the kernel.
      Shell.Result r = Shell.bash(mnt, String.join("\n", "python3 - <<'PY'",
          "import os",
          "names = ['f%04d' % i for i in range(" + FILES + ")]",
          "wrong = []",
          "for n in " + order + ":",
          "    if os.stat('d/' + n).st_size != int(n[1:]) % 7 + 1:",
          "        wrong.append(n)",
          "    " + between,
          "print(wrong)",
          "PY"));
      assertEquals(0, r.code(), r.toString());
      assertEquals("[]", r.out().strip(), "files whose size was not as written");
      InetSocketAddress mountHttp = new InetSocketAddress("127.0.0.1",
          cluster.mounted().httpAddress().orElseThrow().getPort());
      double keptAhead = Scrape.of(mountHttp).require("sluice_fuse_statahead_entries_total", "server", "fuse");
      return new Calls(cluster.masterCalls(MasterMethod.GET_STATUS_VALUE) - status,
          cluster.masterCalls(MasterMethod.LIST_STATUS_VALUE) - list, keptAhead);
    }
  }

  @Test
  void sortedStatsOfAnUnlistedDirectoryCostAPageNotACallPerFile() throws Exception {
    Calls c = statFiles("sorted(names)", "pass", "sluice.user.list.page.size", "100");
    // 240 names in pages of 100: a streak of 4 lookups, a page, another streak... about 3 pages.
    assertTrue(c.list() >= 2 && c.list() <= 4, "listing pages: " + c);
    assertTrue(c.status() <= 4 * 4 + 5, "status calls: " + c);
    // Every name but the 4 looked up one by one before each of the 3 pages (100 + 100 + the last 28).
    assertEquals(FILES - 3 * 4.0, c.keptAhead(), "statuses listed ahead: " + c);
  }

  @Test
  void withStatAheadOffEveryFileCostsAStatusCall() throws Exception {
    // The control for the test above: same steps, one master call per file.
    Calls c = statFiles("sorted(names)", "pass", "sluice.user.list.page.size", "100",
        "sluice.fuse.statahead", "false");
    assertTrue(c.status() >= FILES, "status calls: " + c);
    assertEquals(0.0, c.list(), "listing pages: " + c);
    assertEquals(0.0, c.keptAhead(), "statuses listed ahead: " + c);
  }

  @Test
  void statsInReverseOrderAreAskedOneByOne() throws Exception {
    Calls c = statFiles("sorted(names, reverse=True)", "pass");
    assertTrue(c.status() >= FILES, "status calls: " + c);
    assertEquals(0.0, c.list(), "listing pages: " + c);
  }

  @Test
  void aChangeThroughTheMountBetweenStatsKeepsThemOneByOne() throws Exception {
    // Each stat followed by a chmod through the mount, which makes every kept status stale: a page would be wasted.
    Calls c = statFiles("sorted(names)", "os.chmod('d/' + n, 0o600)");
    assertTrue(c.status() >= FILES, "status calls: " + c);
    assertEquals(0.0, c.list(), "listing pages: " + c);
  }
}
