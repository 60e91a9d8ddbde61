package io.sluice.cli.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a local cluster keeps its state, under one directory: {@code master/} (journal and metadata),
 * {@code worker/} (cached blocks), {@code logs/ROLE.log}, {@code pids/ROLE.pid}.
 */
final class LocalLayout {
  static final String MASTER = "master";
  static final String WORKER = "worker";

  final Path root;

  LocalLayout(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /** The default: {@code ~/.sluice/local}. */
  static Path defaultRoot() {
    return Path.of(System.getProperty("user.home"), ".sluice", "local");
  }

  Path dataDir(String role) {
    return root.resolve(role);
  }

  Path log(String role) {
    return root.resolve("logs").resolve(role + ".log");
  }

  Path pidFile(String role) {
    return root.resolve("pids").resolve(role + ".pid");
  }

  void createDirs() throws IOException {
    Files.createDirectories(root.resolve("logs"));
    Files.createDirectories(root.resolve("pids"));
    Files.createDirectories(dataDir(MASTER));
    Files.createDirectories(dataDir(WORKER));
  }

  /** The live process recorded for {@code role}, if its pid file names one that still runs Sluice. */
  Optional<ProcessHandle> running(String role) {
    Path f = pidFile(role);
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    try {
      long pid = Long.parseLong(Files.readString(f, StandardCharsets.US_ASCII).trim());
      // A stale pid file may name a pid reused by another program: only a Sluice JVM counts.
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
          .filter(p -> p.info().commandLine().map(c -> c.contains("io.sluice.cli.SluiceMain")).orElse(true));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  void writePid(String role, long pid) throws IOException {
    Files.writeString(pidFile(role), pid + "\n", StandardCharsets.US_ASCII);
  }

  void removePid(String role) throws IOException {
    Files.deleteIfExists(pidFile(role));
  }
}
