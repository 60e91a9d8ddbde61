package io.sluice.tests.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.SluiceClient;
import io.sluice.common.proto.FileInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A released new file is completed after its RELEASE was answered, off the mount's ordered thread
 * ({@code sluice.fuse.background.completions}); what a program does on the mount right after the close still finds
 * the file complete: its size and bytes, a modification time it sets (as {@code rsync -a} and {@code cp -p} do, which
 * the completion must not overwrite), a rename of its directory. (That an unmount waits for the completions running
 * is BackgroundCompletionsTest's: here they end long before an unmount could start.)
 */
class FuseBackgroundCompletionTest {
  private static final int FILES = 60;
  /** The modification time the script gives file i: this many seconds, plus i. */
  private static final long MTIME_BASE = 1_000_000_000L;

  @TempDir
  Path dir;

  @Test
  void whatFollowsACloseOnTheMountFindsTheFileComplete() throws Exception {
    FuseRequirement.assumeFuse();
    try (FuseCluster cluster = new FuseCluster(dir).start()) {
      Path mnt = cluster.mount(dir.resolve("mnt"));
      double before = completions(cluster);
      Shell.Result r = Shell.bash(mnt, String.join("\n", "python3 - <<'PY'",
          "import os",
          "os.mkdir('d')",
          "wrong = []",
          "for i in range(" + FILES + "):",
          "    p = 'd/f%d' % i",
          "    data = bytes([i]) * (1000 + i)",
          "    with open(p, 'wb') as f:",
          "        f.write(data)",
          "    os.utime(p, (" + MTIME_BASE + " + i, " + MTIME_BASE + " + i))",
          "    if os.stat(p).st_size != len(data):",
          "        wrong.append(('size', i, os.stat(p).st_size))",
          "    with open(p, 'rb') as f:",
          "        if f.read() != data:",
          "            wrong.append(('bytes', i))",
          "os.rename('d', 'e')",
          "for i in range(" + FILES + "):",
          "    st = os.stat('e/f%d' % i)",
          "    if (st.st_size, int(st.st_mtime)) != (1000 + i, " + MTIME_BASE + " + i):",
          "        wrong.append(('after rename', i, st.st_size, st.st_mtime))",
          "print(wrong)",
          "PY"));
      assertEquals(0, r.code(), r.toString());
      assertEquals("[]", r.out().strip(), "what the mount showed right after each close");
      assertEquals(List.of(), notAsWritten(cluster.client(), "/e"));
      assertTrue(completions(cluster) - before >= FILES, "the files were completed in the background");
    }
  }

  /** Background completions the mount ran so far, from its /metrics. */
  private static double completions(FuseCluster cluster) throws Exception {
    return cluster.mountMetric("sluice_fuse_op_seconds_count", "op", "complete", "outcome", "ok");
  }

  /** The files of {@code dir} (as the script writes them) that the master does not hold complete, as written. */
  private static List<String> notAsWritten(SluiceClient client, String dir) throws Exception {
    List<String> wrong = new ArrayList<>();
    for (int i = 0; i < FILES; i++) {
      FileInfo f = client.getStatus(dir + "/f" + i);
      if (!f.getComplete() || f.getLength() != 1000 + i
          || f.getMtimeMs() != (MTIME_BASE + i) * 1000) {
        wrong.add(i + ": complete " + f.getComplete() + ", length " + f.getLength() + ", mtime " + f.getMtimeMs());
      }
    }
    return wrong;
  }
}
