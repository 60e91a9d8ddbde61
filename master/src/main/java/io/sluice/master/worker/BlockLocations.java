package io.sluice.master.worker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.function.LongPredicate;

/**
 * Which workers hold each block: the reverse of each {@link WorkerState#blocks}, kept in step with it as workers
 * report blocks added and removed, so a read finds a block's holders without scanning every worker. A block no
 * worker holds has no entry. Not thread-safe: guarded by the {@link WorkerRegistry}'s lock.
 */
final class BlockLocations {
  private final Map<Long, Set<Long>> holders = new HashMap<>();
  private final LongPredicate isAllocated;

  /** @param isAllocated whether a block id belongs to a file of the namespace (else no worker should keep it) */
  BlockLocations(LongPredicate isAllocated) {
    this.isAllocated = isAllocated;
  }

  /**
   * Records that {@code w} holds {@code blockIds}; one no file owns any more (deleted or overwritten while the
   * worker was away) is queued for removal instead.
   *
   * @return the blocks recorded
   */
  List<Long> add(WorkerState w, List<Long> blockIds) {
    List<Long> added = new ArrayList<>(blockIds.size());
    for (long b : blockIds) {
      if (isAllocated.test(b)) {
        w.blocks.add(b);
        holders.computeIfAbsent(b, k -> new HashSet<>(4)).add(w.id);
        added.add(b);
      } else {
        w.commands.remove(b);
      }
    }
    return added;
  }

  /** {@code w} reported the block gone: it no longer holds it, and nothing queued for it is left to do. */
  void removed(WorkerState w, long blockId) {
    w.blocks.remove(blockId);
    w.commands.forget(blockId);
    unlink(blockId, w.id);
  }

  /** {@code w} counts as holding nothing (it was lost, or re-registers with a full report). */
  void dropAll(WorkerState w) {
    for (long b : w.blocks) {
      unlink(b, w.id);
    }
    w.blocks.clear();
  }

  /** The block's file is gone: no worker counts as holding it, and every one that did is told to remove it. */
  void deleted(long blockId, LongFunction<WorkerState> workers) {
    Set<Long> h = holders.remove(blockId);
    if (h == null) {
      return;
    }
    for (long id : h) {
      WorkerState w = workers.apply(id);
      w.blocks.remove(blockId);
      w.commands.removeInsteadOfPin(blockId);
    }
  }

  /** Who holds the block, live or not; a view, empty when nobody does. */
  Set<Long> holders(long blockId) {
    return holders.getOrDefault(blockId, Set.of());
  }

  private void unlink(long blockId, long workerId) {
    Set<Long> h = holders.get(blockId);
    if (h != null && h.remove(workerId) && h.isEmpty()) {
      holders.remove(blockId);
    }
  }
}
