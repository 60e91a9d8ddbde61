package io.sluice.master.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A user's groups as the master's host knows them, from {@code id -Gn USER}, as Hadoop's shell-based mapping does:
 * the JDK has no portable way to ask for another user's groups. An unknown user has no groups.
 */
final class OsGroups {
  private static final Logger LOG = LoggerFactory.getLogger(OsGroups.class);
  private static final long TIMEOUT_SECONDS = 5;

  private OsGroups() {}

  static List<String> of(String user) {
    if (user.isEmpty() || user.startsWith("-")) {
      return List.of();  // never hand `id` an option
    }
    Process p = null;
    try {
      p = new ProcessBuilder("id", "-Gn", user).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return List.of();  // no such user here
      }
      String line = new String(out, StandardCharsets.UTF_8).trim();
      return line.isEmpty() ? List.of() : Arrays.asList(line.split("\\s+"));
    } catch (IOException e) {
      LOG.warn("cannot look up the groups of {}: {}", user, e.toString());
      return List.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    } finally {
      if (p != null) {
        p.destroy();
      }
    }
  }
}
