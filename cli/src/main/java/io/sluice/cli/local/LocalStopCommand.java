package io.sluice.cli.local;

import io.sluice.cli.Stdout;

import io.sluice.cli.daemon.PidFile;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice local stop}: unmounts the FUSE mount (its process unmounts on SIGTERM), then stops the worker, then
 * the master, each with SIGTERM (SIGKILL after a grace time).
 */
@Command(name = "stop", description = "Stop the local cluster.")
public final class LocalStopCommand implements Callable<Integer> {
  private static final Duration GRACE = Duration.ofSeconds(20);

  @Option(names = "--dir", description = "State directory (default: ~/.sluice/local).")
  Path dir;

  @Override
  public Integer call() throws Exception {
    LocalLayout layout = new LocalLayout(dir == null ? LocalLayout.defaultRoot() : dir);
    List<String> stopped = stopAll(layout);
    Stdout.writer().println(stopped.isEmpty() ? "Sluice was not running (" + layout.root + ")"
        : "Stopped " + String.join(", ", stopped));
    return 0;
  }

  /** Stops every role that runs, the mount first, then the worker; returns what was stopped. */
  static List<String> stopAll(LocalLayout layout) throws IOException {
    List<String> stopped = new java.util.ArrayList<>();
    LocalFuse.stop(layout).ifPresent(stopped::add);
    for (String role : List.of(LocalLayout.WORKER, LocalLayout.MASTER)) {
      Optional<ProcessHandle> p = layout.running(role);
      if (p.isPresent()) {
        stop(p.get());
        stopped.add(role + " (pid " + p.get().pid() + ")");
      }
      layout.removePid(role);
    }
    return stopped;
  }

  static void stop(ProcessHandle p) {
    PidFile.stop(p, GRACE);
  }
}
