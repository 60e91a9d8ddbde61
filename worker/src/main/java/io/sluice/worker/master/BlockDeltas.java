package io.sluice.worker.master;

import io.sluice.worker.block.BlockListener;
import java.util.HashSet;
import java.util.Set;

/**
 * Block changes the master has not acknowledged yet. A heartbeat takes them; if it fails they are put back, so a
 * lost heartbeat loses no change. A block added then removed before a heartbeat is reported as removed only.
 */
final class BlockDeltas implements BlockListener {
  private Set<Long> added = new HashSet<>();
  private Set<Long> removed = new HashSet<>();

  /** One heartbeat's worth of changes. */
  record Batch(Set<Long> added, Set<Long> removed) {}

  @Override
  public synchronized void committed(long blockId) {
    removed.remove(blockId);
    added.add(blockId);
  }

  @Override
  public synchronized void removed(long blockId) {
    added.remove(blockId);
    removed.add(blockId);
  }

  synchronized Batch take() {
    Batch b = new Batch(added, removed);
    added = new HashSet<>();
    removed = new HashSet<>();
    return b;
  }

  /** Puts back a batch the master did not receive, under any newer change to the same block. */
  synchronized void restore(Batch b) {
    for (long id : b.added()) {
      if (!removed.contains(id)) {
        added.add(id);
      }
    }
    for (long id : b.removed()) {
      if (!added.contains(id)) {
        removed.add(id);
      }
    }
  }

  /** Forgets everything: a full block report follows. */
  synchronized void clear() {
    added.clear();
    removed.clear();
  }
}
