package io.sluice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The kernel's page cache, emptied so that a file's next read comes from the disk. Needs root. */
final class PageCache {
  private static final Path DROP = Path.of("/proc/sys/vm/drop_caches");

  private PageCache() {}

  /** Null when {@link #drop} can make a read of the files in {@code dir} come from a disk, else why not. */
  static String whyNotDroppable(Path dir) throws IOException {
    String type = Files.getFileStore(dir).type();
    if (type.equals("tmpfs") || type.equals("ramfs")) {
      return dir + " is on " + type + ", not on a disk";
    }
    return Files.isWritable(DROP) ? null : DROP + " is not writable (run as root to read from the disk)";
  }

  /** Writes dirty pages out, then drops clean ones (and dentries and inodes); tmpfs pages stay. */
  static void drop() throws IOException, InterruptedException {
    writeBack();
    Files.writeString(DROP, "3");
  }

  /**
   * Writes every dirty page out ({@code sync}), so a file a bench just wrote into a UFS on this machine is on the
   * disk before it is read, as a UFS's data long written is. Without it the master's next journal sync on the same
   * disk waited for those pages too (ext4 writes a file's data out before the metadata that names it): 170-370 ms
   * of a cold read through Sluice that a direct read never pays. Needs no root.
   */
  static void writeBack() throws IOException, InterruptedException {
    Process sync = new ProcessBuilder("sync").inheritIO().start();
    if (sync.waitFor() != 0) {
      throw new IOException("sync exited with " + sync.exitValue());
    }
  }
}
