package io.sluice.worker.block;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses which blocks to evict; it deletes nothing. The store hands it only blocks that may go (not pinned, not
 * leased); it orders them by the policy and picks the fewest that meet the need. Used under the store's lock.
 */
final class VictimSelector {
  /** Blocks whose eviction makes room for a block in {@code dir}. */
  record Plan(StorageDir dir, List<StoredBlock> victims) {}

  private final EvictionPolicy policy;
  private final Watermarks watermarks;

  VictimSelector(EvictionPolicy policy, Watermarks watermarks) {
    this.policy = policy;
    this.watermarks = watermarks;
  }

  /**
   * The coldest blocks whose eviction frees {@code size} bytes in one directory, or null when no directory can be
   * freed enough. Only victims in that directory are chosen: colder blocks passed over elsewhere would not help.
   * The new block then goes wherever room appears first in policy order, whatever its tier.
   */
  Plan forSpace(long size, Collection<StoredBlock> evictable) {
    Map<StorageDir, List<StoredBlock>> victims = new IdentityHashMap<>();
    Map<StorageDir, Long> freed = new IdentityHashMap<>();
    for (StoredBlock b : coldestFirst(evictable)) {
      if (b.dir.capacity() < size) {
        continue;
      }
      victims.computeIfAbsent(b.dir, k -> new ArrayList<>()).add(b);
      if (b.dir.free() + freed.merge(b.dir, b.length, Long::sum) >= size) {
        return new Plan(b.dir, victims.get(b.dir));
      }
    }
    return null;
  }

  /** Whether a tier occupying {@code occupied} of {@code capacity} bytes is over its high watermark. */
  boolean overHighWatermark(long occupied, long capacity) {
    return occupied > watermarks.highBytes(capacity);
  }

  /**
   * The coldest blocks of a tier occupying {@code occupied} of {@code capacity} bytes to evict: none under the
   * high watermark, else enough to reach the low one (or all when that is not enough).
   */
  List<StoredBlock> forWatermark(long occupied, long capacity, Collection<StoredBlock> evictable) {
    List<StoredBlock> out = new ArrayList<>();
    if (!overHighWatermark(occupied, capacity)) {
      return out;
    }
    long low = watermarks.lowBytes(capacity);
    for (StoredBlock b : coldestFirst(evictable)) {
      if (occupied <= low) {
        break;
      }
      out.add(b);
      occupied -= b.length;
    }
    return out;
  }

  private List<StoredBlock> coldestFirst(Collection<StoredBlock> blocks) {
    Map<Long, StoredBlock> byId = new HashMap<>();
    for (StoredBlock b : blocks) {
      byId.put(b.id, b);
    }
    return policy.coldestFirst(byId.keySet()).stream().map(byId::get).toList();
  }
}
