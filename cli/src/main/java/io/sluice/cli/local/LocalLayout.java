package io.sluice.cli.local;

import io.sluice.cli.daemon.PidFile;
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
    return new PidFile(pidFile(role)).running();
  }

  void writePid(String role, long pid) throws IOException {
    Files.writeString(pidFile(role), pid + "\n", StandardCharsets.US_ASCII);
  }

  void removePid(String role) throws IOException {
    Files.deleteIfExists(pidFile(role));
  }
}
