package io.sluice.worker.block;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides which blocks to evict, for a new block's room or for a tier's watermarks; it deletes nothing. It filters
 * the committed blocks to those that may go (not pinned, not leased, not held since start) and lets the
 * {@link VictimSelector} pick among them. Guarded by the store's lock: call only under it.
 */
final class EvictionPlanner {
  private final Tiers tiers;
  private final BlockTable table;
  private final PinnedBlocks pins;
  private final VictimSelector victims;

  EvictionPlanner(Tiers tiers, BlockTable table, PinnedBlocks pins, VictimSelector victims) {
    this.tiers = tiers;
    this.table = table;
    this.pins = pins;
    this.victims = victims;
  }

  /** The blocks whose eviction frees {@code size} bytes in one directory, or null when none can be freed enough. */
  VictimSelector.Plan forSpace(long size) {
    return victims.forSpace(size, evictable(null, Long.MIN_VALUE));
  }

  /**
   * The blocks of {@code t} to evict, coldest first, from over its high watermark down to its low one; none while a
   * slower tier is still under its own (and {@code t} within its capacity): new blocks then spill down there, and no
   * block is dropped from this worker for headroom the writes do not need. Never {@code keep}.
   */
  List<StoredBlock> forWatermark(Tier t, long keep) {
    if (t.occupied() <= t.capacity() && slowerTierHasRoom(t)) {
      return List.of();
    }
    return victims.forWatermark(t.occupied(), t.capacity(), evictable(t, keep));
  }

  /** Whether a tier slower than {@code t} is under its high watermark. */
  private boolean slowerTierHasRoom(Tier t) {
    boolean slower = false;
    for (Tier s : tiers.fastestFirst()) {
      if (slower && !victims.overHighWatermark(s.occupied(), s.capacity())) {
        return true;
      }
      slower |= s == t;
    }
    return false;
  }

  /**
   * Committed blocks that may be evicted: not pinned, not leased, not {@code keep}, not held since start, in {@code t}
   * (null: any).
   */
  private List<StoredBlock> evictable(Tier t, long keep) {
    List<StoredBlock> out = new ArrayList<>();
    for (StoredBlock b : table.all()) {
      if (b.leases == 0 && b.id != keep && !pins.keptFromEviction(b.id) && (t == null || b.dir.tier() == t.alias)) {
        out.add(b);
      }
    }
    return out;
  }

  /** Why nothing more can be evicted, for a NO_SPACE message: each tier's space, the pinned and leased blocks. */
  String describe() {
    long pinnedBytes = 0;
    int leased = 0;
    for (StoredBlock b : table.all()) {
      pinnedBytes += pins.pinned(b.id) ? b.length : 0;
      leased += b.leases > 0 ? 1 : 0;
    }
    return tiers.describe() + "; " + pins.size() + " blocks pinned (" + pinnedBytes + " bytes), " + leased
        + " being read";
  }
}
