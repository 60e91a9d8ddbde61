package io.sluice.cli.cluster;

import io.sluice.cli.CliException;
import io.sluice.cli.ConfOptions;
import io.sluice.cli.Stdout;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the {@code cluster} commands share: the hosts ({@code $SLUICE_CONF_DIR/masters}, {@code .../workers}) and
 * how to run {@code sluice ...} on one of them. The remote command is {@code $SLUICE_HOME/bin/sluice} at the same
 * path as here (the same installation on every host), with {@code SLUICE_CONF_DIR} and, when set here,
 * {@code SLUICE_LOG_DIR}, {@code SLUICE_PID_DIR} and {@code SLUICE_JAVA_OPTS} passed explicitly: ssh does not carry
 * the environment.
 */
final class ClusterPlan {
  private static final List<String> FORWARDED_ENV = List.of("SLUICE_LOG_DIR", "SLUICE_PID_DIR", "SLUICE_JAVA_OPTS");

  final Path confDir = ConfOptions.confDir();
  final PrintWriter out = Stdout.writer();
  private final List<String> failures = new ArrayList<>();

  List<String> masters() {
    return HostList.read(confDir.resolve("masters"));
  }

  List<String> workers() {
    return HostList.read(confDir.resolve("workers"));
  }

  /** Runs {@code sluice ARGS} on every host, in parallel; remembers the hosts where it failed as {@code what}. */
  void run(List<String> hosts, String what, String... args) throws InterruptedException {
    if (hosts.isEmpty()) {
      return;
    }
    Map<String, Integer> failed = new SshFanOut(out).run(hosts, remoteCommand(args));
    failed.forEach((host, code) -> failures.add(host + " (" + what + (code == 255 ? ", ssh failed" : "") + ")"));
  }

  /** Exit 0 when every host succeeded; otherwise fails naming them. */
  int finish(String summary, String failedVerb) {
    out.flush();
    if (!failures.isEmpty()) {
      throw new CliException(failedVerb + " on " + failures.size() + " host(s): " + String.join(", ", failures));
    }
    out.println(summary);
    return 0;
  }

  private String remoteCommand(String... args) {
    StringBuilder sb = new StringBuilder("env SLUICE_CONF_DIR=").append(quote(confDir.toString()));
    for (String name : FORWARDED_ENV) {
      String v = System.getenv(name);
      if (v != null && !v.isBlank()) {
        sb.append(' ').append(name).append('=').append(quote(v));
      }
    }
    Path home = Path.of(System.getProperty("sluice.home", System.getenv().getOrDefault("SLUICE_HOME", ".")));
    sb.append(' ').append(quote(home.toAbsolutePath().normalize().resolve("bin/sluice").toString()));
    for (String a : args) {
      sb.append(' ').append(quote(a));
    }
    return sb.toString();
  }

  /** Single-quotes {@code s} for the remote POSIX shell. */
  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
