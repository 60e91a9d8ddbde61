package io.sluice.cli.daemon;

import io.sluice.cli.Stdout;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice stop master|worker|fuse}: stops the role started on this host with {@code --daemon}, named by its
 * pid file: SIGTERM, then SIGKILL after the grace time. A stale pid file is removed. Exit 0 also when nothing ran.
 */
@Command(name = "stop", description = "Stop a role started on this host with --daemon.")
public final class StopCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "ROLE", description = "master, worker or fuse.")
  String role;

  @Option(names = "--grace", defaultValue = "30s", converter = io.sluice.cli.DurationConverter.class,
      description = "How long to wait after SIGTERM before SIGKILL (default: ${DEFAULT-VALUE}).")
  Duration grace;

  @Override
  public Integer call() throws Exception {
    StatusCommand.checkRole(role);
    PidFile pidFile = DaemonDirs.fromEnvironment().pidFile(role);
    var out = Stdout.writer();
    Optional<ProcessHandle> p = pidFile.running();
    if (p.isPresent()) {
      out.printf("stopping %s (pid %d)%n", role, p.get().pid());
      boolean killed = PidFile.stop(p.get(), grace);
      pidFile.remove();
      out.printf("%s stopped%s%n", role, killed ? " (SIGKILL after " + grace.toSeconds() + "s)" : "");
    } else if (pidFile.isStale()) {
      pidFile.remove();
      out.printf("%s was not running; removed stale pid file %s%n", role, pidFile.path());
    } else {
      out.printf("%s was not running (no pid file %s)%n", role, pidFile.path());
    }
    return 0;
  }
}
