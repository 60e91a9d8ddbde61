package io.sluice.worker.block;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One directory of a tier and its space accounting. On disk, {@code blocks/<id>.<length>} is a committed block
 * (the name carries the length the writer committed, so a file cut short by a crash is caught at start),
 * {@code sums/<id>.<length>} its chunk CRC32Cs ({@link BlockSums}), {@code tmp/<id>-<n>} a block being written and,
 * in a MEM directory, {@code free/<n>} a freed file kept resident for the next block ({@link FilePool}). Sums are
 * small (4 bytes per checksum chunk) and not counted against the capacity. Its numbers are guarded by the owning
 * {@link BlockStore}'s lock. Once failed, a directory is never used again by this process.
 *
 * <p>Space: committed + reserved + pooled bytes never exceed the capacity, so the directory never physically holds
 * more than it may. Pooled bytes still count as {@link #free()}: the next block consumes them, so placement and
 * eviction treat them as room. Whoever reserves calls {@link #takePooled} next, which trims the pool to what is
 * left.
 */
final class StorageDir {
  private static final Logger LOG = LoggerFactory.getLogger(StorageDir.class);

  /** A committed block found on disk at start. */
  record Found(long blockId, Path path, long length) {}

  private final TierAlias tier;
  private final Path root;
  private final Path blocksDir;
  private final Path tmpDir;
  private final Path sumsDir;
  private final FilePool pool;
  private final long capacity;
  private long used;
  private long reserved;
  private int blocks;
  private boolean failed;

  StorageDir(TierAlias tier, Path root, long capacity) {
    this.tier = tier;
    this.root = root;
    this.blocksDir = root.resolve("blocks");
    this.tmpDir = root.resolve("tmp");
    this.sumsDir = root.resolve("sums");
    this.pool = new FilePool(root.resolve("free"));
    this.capacity = capacity;
  }

  /**
   * Creates the directories, deletes unfinished writes, and returns the committed blocks whose file length matches
   * the length in their name; a mismatching file (cut short by a crash or tampered with) is deleted. A MEM
   * directory keeps the files left in its pool (they are whole: files enter it by rename only); the caller fits
   * them with {@link #fitPool} once the blocks are counted. Any other directory deletes them.
   */
  List<Found> open() throws IOException {
    Files.createDirectories(blocksDir);
    Files.createDirectories(tmpDir);
    Files.createDirectories(sumsDir);
    int dropped = 0;
    try (DirectoryStream<Path> tmp = Files.newDirectoryStream(tmpDir)) {
      for (Path p : tmp) {
        Files.deleteIfExists(p);
        dropped++;
      }
    }
    List<Found> found = new ArrayList<>();
    int bad = 0;
    try (DirectoryStream<Path> all = Files.newDirectoryStream(blocksDir)) {
      for (Path p : all) {
        Found f = verify(p);
        if (f != null) {
          found.add(f);
        } else {
          bad++;
        }
      }
    }
    dropped += dropOrphanSums(found);
    if (dropped > 0 || bad > 0) {
      LOG.info("{} {}: dropped {} unfinished writes and {} bad block files", tier, root, dropped, bad);
    }
    if (pool.open(pooling()) > 0) {
      LOG.info("{} {}: kept {} freed files of {} bytes for reuse", tier, root, pool.files(), pool.bytes());
    }
    return found;
  }

  /**
   * Deletes sums files of blocks not found (a crash between writing a block's sums and its rename, or a block
   * file deleted by hand); returns how many.
   */
  private int dropOrphanSums(List<Found> found) throws IOException {
    Set<String> names = new HashSet<>();
    for (Found f : found) {
      names.add(f.path().getFileName().toString());
    }
    int dropped = 0;
    try (DirectoryStream<Path> all = Files.newDirectoryStream(sumsDir)) {
      for (Path p : all) {
        if (!names.contains(p.getFileName().toString())) {
          Files.deleteIfExists(p);
          dropped++;
        }
      }
    }
    return dropped;
  }

  /** The block {@code p} names if its length checks out, else null (and a bad block file is deleted). */
  private static Found verify(Path p) throws IOException {
    String name = p.getFileName().toString();
    int dot = name.indexOf('.');
    long id;
    long length;
    try {
      id = Long.parseLong(dot < 0 ? name : name.substring(0, dot));
      // A name without a length predates length-checked names: nothing to verify it against.
      length = dot < 0 ? Files.size(p) : Long.parseLong(name.substring(dot + 1));
    } catch (NumberFormatException e) {
      LOG.warn("ignoring {}: not a block file", p);
      return null;
    }
    long actual = Files.size(p);
    if (actual != length) {
      LOG.warn("deleting block file {}: {} bytes but {} were committed", p, actual, length);
      Files.deleteIfExists(p);
      return null;
    }
    return new Found(id, p, length);
  }

  /** Whether both directories are still there: a vanished or replaced directory means the disk went away. */
  boolean looksHealthy() {
    return Files.isDirectory(blocksDir) && Files.isDirectory(tmpDir);
  }

  Path blockPath(long blockId, long length) {
    return blocksDir.resolve(blockId + "." + length);
  }

  /** Where the committed block's chunk CRC32Cs are kept. */
  Path sumsPath(long blockId, long length) {
    return sumsDir.resolve(blockId + "." + length);
  }

  Path tempPath(long blockId, long n) {
    return tmpDir.resolve(blockId + "-" + n);
  }

  /** Where a file destined for the pool is written; in tmp/, so a crash mid-write leaves nothing to adopt. */
  Path warmPath(long n) {
    return tmpDir.resolve("warm-" + n);
  }

  /** Whether freed files are kept for reuse: only in MEM, where touching fresh pages is what costs. */
  boolean pooling() {
    return tier == TierAlias.MEM;
  }

  /**
   * Bytes neither committed nor reserved; 0 once failed. Pooled files are part of it: a new block consumes them.
   */
  long free() {
    return failed ? 0 : capacity - used - reserved;
  }

  /** Bytes neither committed, reserved nor pooled: what may be added to the pool. */
  long unpooledFree() {
    return free() - pool.bytes();
  }

  /**
   * After a reservation: moves the best-fitting pooled file to {@code tmp} (cut to {@code maxLength}), then deletes
   * pooled files until committed + reserved + pooled fit the capacity again.
   *
   * @return whether {@code tmp} now exists, holding garbage to overwrite
   */
  boolean takePooled(Path tmp, long maxLength) throws IOException {
    boolean took = pooling() && pool.take(tmp, maxLength);
    fitPool();
    return took;
  }

  /** Deletes pooled files until they fit in {@link #free()}. */
  void fitPool() throws IOException {
    pool.trimTo(Math.max(0, free()));
  }

  /**
   * Keeps {@code file} of {@code size} bytes (no longer a block, nor reserved) for reuse; the caller has already
   * given its bytes back (as committed or reserved), so the total cannot grow.
   */
  void pool(Path file, long size) throws IOException {
    pool.put(file, size);
  }

  long pooled() {
    return pool.bytes();
  }

  void reserve(long bytes) {
    reserved += bytes;
  }

  void release(long bytes) {
    reserved -= bytes;
  }

  void added(long length) {
    used += length;
    blocks++;
  }

  void removed(long length) {
    used -= length;
    blocks--;
  }

  void markFailed() {
    failed = true;
    used = 0;
    blocks = 0;
    pool.clear();
  }

  boolean failed() {
    return failed;
  }

  TierAlias tier() {
    return tier;
  }

  Path root() {
    return root;
  }

  long capacity() {
    return capacity;
  }

  long used() {
    return used;
  }

  long reserved() {
    return reserved;
  }

  int blocks() {
    return blocks;
  }
}
