package io.sluice.cli.daemon;

import io.sluice.cli.CliException;
import io.sluice.cli.Stdout;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sluice status master|worker|fuse}: whether the role started here with {@code --daemon} runs; exit 0 if so. */
@Command(name = "status", description = "Show whether a role started on this host with --daemon runs.")
public final class StatusCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "ROLE", description = "master, worker or fuse.")
  String role;

  @Override
  public Integer call() {
    checkRole(role);
    DaemonDirs dirs = DaemonDirs.fromEnvironment();
    PidFile pidFile = dirs.pidFile(role);
    Optional<ProcessHandle> p = pidFile.running();
    var out = Stdout.writer();
    if (p.isPresent()) {
      out.printf("%s running (pid %d, log %s)%n", role, p.get().pid(), dirs.log(role));
      return 0;
    }
    out.printf("%s not running%s%n", role, pidFile.isStale() ? " (stale pid file " + pidFile.path() + ")" : "");
    return 1;
  }

  static void checkRole(String role) {
    if (!DaemonDirs.ROLES.contains(role)) {
      throw new CliException("unknown role '" + role + "'; expected one of " + String.join(", ", DaemonDirs.ROLES));
    }
  }
}
