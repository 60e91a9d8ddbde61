package io.sluice.cli.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a local cluster's worker keeps its MEM tier: a directory on tmpfs, so cached blocks are served from memory.
 * The default is under {@code /dev/shm}, named after the user and the state directory so that two local clusters
 * on one host never share it; it outlives {@code local stop} (like the disk tier, the cache is there for the next
 * start) and goes with a reboot.
 */
final class MemTierDir {
  private static final Path SHM = Path.of("/dev/shm");

  private MemTierDir() {}

  /**
   * The MEM tier directory, created: {@code chosen} when given, else the default under {@code /dev/shm}; empty when
   * there is no writable {@code /dev/shm} (the worker then runs with its disk tier only).
   */
  static Optional<Path> resolve(Path chosen, LocalLayout layout) throws IOException {
    if (chosen != null) {
      return Optional.of(Files.createDirectories(chosen.toAbsolutePath().normalize()));
    }
    if (!Files.isDirectory(SHM) || !Files.isWritable(SHM)) {
      return Optional.empty();
    }
    String name = "sluice-" + System.getProperty("user.name") + "-" + Integer.toHexString(layout.root.hashCode());
    return Optional.of(Files.createDirectories(SHM.resolve(name)));
  }
}
