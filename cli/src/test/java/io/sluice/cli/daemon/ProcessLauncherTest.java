package io.sluice.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a launched role is given: settings on its command line, the shared secret only in its environment. */
class ProcessLauncherTest {
  @TempDir
  Path dir;

  @Test
  void theSecretReachesTheChildOutsideItsCommandLine() throws Exception {
    String secret = "launcher-test-secret-" + System.nanoTime();
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("sluice.security.secret", secret);
    conf.put("sluice.user.block.size", "32m");
    Path log = dir.resolve("child.log");
    // The child reports where each key came from; the command line it ran with is read while it lives.
    Process p = ProcessLauncher.launch(List.of("conf", "get", "sluice.security.secret"), conf, log);
    String cmdline = p.info().arguments().map(a -> String.join(" ", a)).orElse("");
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child ends");
    assertEquals(0, p.exitValue(), Files.readString(ProcessLauncher.outFile(log)));
    String out = Files.readString(ProcessLauncher.outFile(log));
    assertTrue(out.contains("sluice.security.secret = <redacted> (env SLUICE_SECURITY_SECRET)"), out);
    assertFalse(out.contains(secret), out);
    assertFalse(cmdline.contains(secret), "not on the command line: " + cmdline);

    Process q = ProcessLauncher.launch(List.of("conf", "get", "sluice.user.block.size"), conf, log);
    assertTrue(q.waitFor(60, TimeUnit.SECONDS));
    assertTrue(Files.readString(ProcessLauncher.outFile(log)).contains("sluice.user.block.size = 32m (override)"),
        "other keys still go by --conf: " + Files.readString(ProcessLauncher.outFile(log)));
  }
}
