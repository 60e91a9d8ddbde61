package io.sluice.cli.daemon;

import java.nio.file.Path;

/**
 * Where roles started with {@code --daemon} keep their files on this host: {@code LOG_DIR/ROLE.log} (rolled by
 * size), {@code LOG_DIR/ROLE.out} (what bypasses logging) and {@code PID_DIR/ROLE.pid}. {@code LOG_DIR} is
 * {@code $SLUICE_LOG_DIR}, default {@code $SLUICE_HOME/logs}; {@code PID_DIR} is {@code $SLUICE_PID_DIR}, default
 * {@code $SLUICE_HOME/run}. ({@code sluice local} keeps the same files under its own state directory instead.)
 */
public final class DaemonDirs {
  /** The roles that run in the background; each has one pid file per pid directory. */
  public static final java.util.List<String> ROLES = java.util.List.of("master", "worker", "fuse");

  private final Path logDir;
  private final Path pidDir;

  public DaemonDirs(Path logDir, Path pidDir) {
    this.logDir = logDir.toAbsolutePath().normalize();
    this.pidDir = pidDir.toAbsolutePath().normalize();
  }

  /** The directories this process's environment names. */
  public static DaemonDirs fromEnvironment() {
    Path home = Path.of(System.getProperty("sluice.home", System.getenv().getOrDefault("SLUICE_HOME", ".")));
    return new DaemonDirs(dir("SLUICE_LOG_DIR", home.resolve("logs")), dir("SLUICE_PID_DIR", home.resolve("run")));
  }

  private static Path dir(String env, Path fallback) {
    String v = System.getenv(env);
    return v == null || v.isBlank() ? fallback : Path.of(v);
  }

  public Path log(String role) {
    return logDir.resolve(role + ".log");
  }

  public PidFile pidFile(String role) {
    return new PidFile(pidDir.resolve(role + ".pid"));
  }

  /** Created at start and removed once the role has signalled it is up. */
  Path readyFile(String role) {
    return pidDir.resolve(role + ".ready");
  }

  Path logDir() {
    return logDir;
  }
}
