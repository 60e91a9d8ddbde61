package io.sluice.worker.block;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes blocks off the worker: evicts the victims the {@link EvictionPlanner} picks, pools (MEM) or unlinks a
 * block's file and its sums, and fails a whole directory on an I/O error, dropping its blocks. Each call adds the
 * ids it dropped to a {@code removed} list the store reports to its listener once its lock is released. Guarded by
 * the store's lock: call only under it.
 */
final class BlockRemover {
  private static final Logger LOG = LoggerFactory.getLogger(BlockRemover.class);

  private final Tiers tiers;
  private final BlockTable table;
  private final EvictionPlanner planner;
  private final BlockMappings mappings;

  BlockRemover(Tiers tiers, BlockTable table, EvictionPlanner planner, BlockMappings mappings) {
    this.tiers = tiers;
    this.table = table;
    this.planner = planner;
    this.mappings = mappings;
  }

  /**
   * Evicts the blocks {@link EvictionPlanner#forSpace} chooses to make room for {@code size} bytes; returns the
   * directory with that room, or null when nothing can make it.
   */
  StorageDir evictFor(long size, List<Long> removed) {
    VictimSelector.Plan plan = planner.forSpace(size);
    if (plan == null) {
      return null;
    }
    plan.victims().forEach(v -> evict(v, removed));
    return plan.dir();
  }

  /** Evicts what {@link EvictionPlanner#forWatermark} chooses for {@code t}. */
  void evictToWatermark(Tier t, long keep, List<Long> removed) {
    for (StoredBlock b : planner.forWatermark(t, keep)) {
      if (table.get(b.id) == b) { // an I/O error while evicting may have dropped its whole directory
        evict(b, removed);
      }
    }
  }

  /** Removes {@code b} for room, counting it as an eviction of its tier. */
  private void evict(StoredBlock b, List<Long> removed) {
    if (unlink(b, removed)) {
      tiers.of(b.dir).evictions++;
      LOG.debug("evicted block {} ({} bytes) from {}", b.id, b.length, b.dir.root());
    }
  }

  /**
   * Deletes (or pools) a block's file and drops it; returns whether it was dropped alone. A file already gone from a
   * healthy directory was deleted by hand: only that block is lost. Any other error fails the whole directory.
   */
  boolean unlink(StoredBlock b, List<Long> removed) {
    if (table.get(b.id) != b) {
      return false; // dropped meanwhile with its failed directory
    }
    try {
      if (!pool(b)) {
        Files.delete(b.path);
      }
      deleteQuietly(b.dir.sumsPath(b.id, b.length));
    } catch (NoSuchFileException e) {
      if (!b.dir.looksHealthy()) {
        failDir(b.dir, e, removed);
        return false;
      }
    } catch (IOException e) {
      failDir(b.dir, e, removed);
      return false;
    }
    mappings.drop(b);
    table.drop(b, removed);
    return true;
  }

  /**
   * Moves {@code b}'s file to its directory's pool if nothing can still read it; false when it must be unlinked
   * instead (a disk tier, a reader, a mapping still in use, or the move failed: unlinking is always right).
   */
  private static boolean pool(StoredBlock b) {
    if (!b.dir.pooling() || b.leases > 0 || b.detachedReader || BlockMappings.inUse(b)) {
      return false;
    }
    try {
      b.dir.pool(b.path, b.length);
      return true;
    } catch (IOException e) {
      LOG.debug("cannot pool {}, deleting it: {}", b.path, e.toString());
      return false;
    }
  }

  /** Marks {@code dir} failed for the rest of the process and drops its blocks; no-op when it already is. */
  void failDir(StorageDir dir, IOException cause, List<Long> removed) {
    if (dir.failed()) {
      return;
    }
    List<StoredBlock> lost = table.all().stream().filter(b -> b.dir == dir).toList();
    for (StoredBlock b : lost) {
      mappings.drop(b);
      table.drop(b, removed);
    }
    dir.markFailed();
    LOG.warn("{} directory {} failed ({}); dropped its {} blocks, serving from the other directories", dir.tier(),
        dir.root(), cause.toString(), lost.size());
  }

  static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      LOG.debug("cannot delete {}: {}", p, e.toString()); // an orphan sums file is dropped at the next start
    }
  }
}
