package io.sluice.cli.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a local cluster keeps its state, under one directory: {@code master/} (journal and metadata),
 * {@code worker/} (cached blocks), {@code mnt/} (the default FUSE mount point), {@code logs/ROLE.log},
 * {@code pids/ROLE.pid}, and {@code pids/fuse.mnt} naming the mount point in use.
 */
final class LocalLayout {
  static final String MASTER = "master";
  static final String WORKER = "worker";
  static final String FUSE = "fuse";
  private static final String MAIN_CLASS = "io.sluice.cli.SluiceMain";

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

  /** The default FUSE mount point. */
  Path defaultMountPoint() {
    return root.resolve("mnt");
  }

  /** Where the FUSE mount point in use is recorded, so stop finds a mount made at a chosen place. */
  private Path mountPointFile() {
    return root.resolve("pids").resolve(FUSE + ".mnt");
  }

  void writeMountPoint(Path mnt) throws IOException {
    Files.writeString(mountPointFile(), mnt.toString() + "\n", StandardCharsets.UTF_8);
  }

  /** The recorded mount point, if a mount was started. */
  Optional<Path> mountPoint() {
    try {
      return Files.isRegularFile(mountPointFile())
          ? Optional.of(Path.of(Files.readString(mountPointFile(), StandardCharsets.UTF_8).strip()))
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  void removeMountPoint() throws IOException {
    Files.deleteIfExists(mountPointFile());
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
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(LocalLayout::isSluice);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether {@code p} runs the Sluice CLI. Reads {@code /proc/PID/cmdline} where there is one: the JDK's
   * {@code ProcessHandle.Info.commandLine()} is cut short for a long class path (a test's), losing the main class.
   */
  private static boolean isSluice(ProcessHandle p) {
    Path cmdline = Path.of("/proc", Long.toString(p.pid()), "cmdline");
    try {
      if (Files.isReadable(cmdline)) {
        return new String(Files.readAllBytes(cmdline), StandardCharsets.ISO_8859_1).contains(MAIN_CLASS);
      }
    } catch (IOException e) {
      // Gone meanwhile, or not ours to read: ask the JDK.
    }
    return p.info().commandLine().map(c -> c.contains(MAIN_CLASS)).orElse(true);
  }

  void writePid(String role, long pid) throws IOException {
    Files.writeString(pidFile(role), pid + "\n", StandardCharsets.US_ASCII);
  }

  void removePid(String role) throws IOException {
    Files.deleteIfExists(pidFile(role));
  }
}
