package io.sluice.worker.block;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;

/**
 * The freed files of one MEM directory, kept in {@code <dir>/free/} so that their pages stay resident: a new block
 * written over them runs at memory speed, while pages touched for the first time fault in at a fraction of it on a
 * VM with free-page reporting (DESIGN §10). A file here holds no block: its bytes are garbage, and whoever takes it
 * overwrites it from offset 0 and reads back only what it wrote. Its numbers are guarded by the owning
 * {@link BlockStore}'s lock.
 *
 * <p>Only files nobody else can still read may come here (see {@link BlockStore}): a reused file changes under any
 * open descriptor of it.
 */
final class FilePool {
  private final Path dir;
  /** Files by size, so a taker finds the best fit in log time; same-size files are the common case. */
  private final TreeMap<Long, ArrayDeque<Path>> bySize = new TreeMap<>();
  private long bytes;
  private int files;
  private long nextName;

  FilePool(Path dir) {
    this.dir = dir;
  }

  /**
   * Creates the directory and adopts the files found in it when {@code keep}, else deletes them (a disk tier's
   * directory that was once MEM). Files with names this pool does not give are deleted either way.
   *
   * @return the files adopted
   */
  int open(boolean keep) throws IOException {
    if (!keep && !Files.isDirectory(dir)) {
      return 0;
    }
    Files.createDirectories(dir);
    try (DirectoryStream<Path> all = Files.newDirectoryStream(dir)) {
      for (Path p : all) {
        long n = name(p);
        if (keep && n >= 0 && Files.isRegularFile(p)) {
          add(p, Files.size(p));
          nextName = Math.max(nextName, n + 1);
        } else {
          Files.deleteIfExists(p);
        }
      }
    }
    return files;
  }

  private static long name(Path p) {
    try {
      return Long.parseLong(p.getFileName().toString());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Moves {@code file} of {@code size} bytes into the pool; on failure it stays where it was. */
  void put(Path file, long size) throws IOException {
    Path target = dir.resolve(Long.toString(nextName++));
    Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
    add(target, size);
  }

  private void add(Path file, long size) {
    bySize.computeIfAbsent(size, k -> new ArrayDeque<>()).add(file);
    bytes += size;
    files++;
  }

  /**
   * Moves the file that best fits {@code maxSize} bytes to {@code target}: the largest not over it (every page of
   * it reused), else the smallest over it, cut to {@code maxSize} so the taker never holds more than it reserved.
   * A file deleted by hand is skipped.
   *
   * @return whether a file was taken (false when the pool is empty)
   * @throws IOException when a file could not be moved or cut; it has left the pool either way
   */
  boolean take(Path target, long maxSize) throws IOException {
    while (files > 0) {
      Map.Entry<Long, ArrayDeque<Path>> e = bySize.floorEntry(maxSize);
      if (e == null) {
        e = bySize.ceilingEntry(maxSize);
      }
      long size = e.getKey();
      Path file = remove(e);
      try {
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (NoSuchFileException gone) {
        continue;
      } catch (IOException ex) {
        Files.deleteIfExists(file);
        throw ex;
      }
      if (size > maxSize) {
        try (FileChannel c = FileChannel.open(target, StandardOpenOption.WRITE)) {
          c.truncate(maxSize);
        }
      }
      return true;
    }
    return false;
  }

  /** Takes one file of {@code e}'s size out of the pool's books. */
  private Path remove(Map.Entry<Long, ArrayDeque<Path>> e) {
    Path file = e.getValue().poll();
    if (e.getValue().isEmpty()) {
      bySize.remove(e.getKey());
    }
    bytes -= e.getKey();
    files--;
    return file;
  }

  /** Deletes files, largest first, until the pool holds at most {@code maxBytes}. */
  void trimTo(long maxBytes) throws IOException {
    while (bytes > maxBytes) {
      Path file = remove(bySize.lastEntry());
      try {
        Files.delete(file);
      } catch (NoSuchFileException gone) {
        // Deleted by hand: the space is free all the same.
      }
    }
  }

  /** Forgets every file without touching the disk: the directory failed. */
  void clear() {
    bySize.clear();
    bytes = 0;
    files = 0;
  }

  /** Bytes of the pooled files. */
  long bytes() {
    return bytes;
  }

  int files() {
    return files;
  }

  Path dir() {
    return dir;
  }
}
