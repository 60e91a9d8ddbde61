package io.sluice.cli.daemon;

import io.sluice.cli.CliException;
import io.sluice.cli.Stdout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code sluice ROLE --daemon}: starts the role as a background JVM ({@link ProcessLauncher}), records its pid, and
 * returns once the role signals it is up ({@link ReadySignal}); when it exits or stays silent instead, stops it,
 * removes the pid file and fails with the tail of its log.
 */
public final class Daemon {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

  private Daemon() {}

  /**
   * Starts {@code role} running {@code sluice ARGS... --conf k=v...}.
   *
   * @throws CliException when a live process already holds the role's pid file, or the role does not come up
   */
  public static void start(String role, List<String> args, Map<String, String> conf)
      throws IOException, InterruptedException {
    DaemonDirs dirs = DaemonDirs.fromEnvironment();
    PidFile pidFile = dirs.pidFile(role);
    Optional<ProcessHandle> live = pidFile.running();
    if (live.isPresent()) {
      throw new CliException("a " + role + " is already running (pid " + live.get().pid() + ", pid file "
          + pidFile.path() + "); stop it first with 'sluice stop " + role + "'");
    }
    var out = Stdout.writer();
    if (pidFile.isStale()) {
      out.printf("removing stale pid file %s (pid %s is not running Sluice)%n", pidFile.path(),
          pidFile.pid().isPresent() ? Long.toString(pidFile.pid().getAsLong()) : "unreadable");
      pidFile.remove();
    }
    Files.createDirectories(dirs.logDir());
    Path log = dirs.log(role);
    Path ready = dirs.readyFile(role);
    Files.createDirectories(ready.getParent());
    Files.deleteIfExists(ready);
    Process p = ProcessLauncher.launch(args, conf, log, ready);
    pidFile.write(p.pid());
    try {
      awaitReady(role, p, ready, log, pidFile);
    } finally {
      Files.deleteIfExists(ready);
    }
    out.printf("%s started (pid %d); log %s, pid file %s%n", role, p.pid(), log, pidFile.path());
  }

  private static void awaitReady(String role, Process p, Path ready, Path log, PidFile pidFile)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (!Files.exists(ready)) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        String why = p.isAlive() ? "did not come up within " + READY_TIMEOUT.toSeconds() + "s"
            : "exited with code " + p.exitValue();
        if (p.isAlive()) {
          PidFile.stop(p.toHandle(), Duration.ofSeconds(10));
        }
        pidFile.remove();
        String tail = ProcessLauncher.tail(log, 15);
        throw new CliException("the " + role + " " + why + "; see " + log + (tail.isEmpty() ? "" : ":\n" + tail));
      }
      Thread.sleep(100);
    }
  }
}
