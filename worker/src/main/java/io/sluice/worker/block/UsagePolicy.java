package io.sluice.worker.block;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A policy that orders blocks by what it recorded of their use: when each was last accessed (by the clock it was
 * given) and how often. A sequence number breaks ties between accesses in the same clock tick, so the order is
 * total and repeatable.
 */
abstract class UsagePolicy implements EvictionPolicy {
  /** What is known of one block's use. */
  static final class Usage {
    long lastAccessMillis;
    long sequence;
    long accesses;
  }

  private static final Usage NEVER = new Usage();

  private final Clock clock;
  private final Map<Long, Usage> usage = new HashMap<>();
  private long sequence;

  UsagePolicy(Clock clock) {
    this.clock = clock;
  }

  /** The order of eviction between two blocks' usage, coldest first. */
  abstract Comparator<Usage> order();

  @Override
  public void added(long blockId) {
    usage.put(blockId, new Usage());
    accessed(blockId);
  }

  @Override
  public void accessed(long blockId) {
    Usage u = usage.get(blockId);
    if (u != null) {
      u.lastAccessMillis = clock.millis();
      u.sequence = ++sequence;
      u.accesses++;
    }
  }

  @Override
  public void removed(long blockId) {
    usage.remove(blockId);
  }

  @Override
  public List<Long> coldestFirst(Collection<Long> blockIds) {
    List<Long> ids = new ArrayList<>(blockIds);
    Comparator<Usage> order = order();
    ids.sort((a, b) -> order.compare(usage.getOrDefault(a, NEVER), usage.getOrDefault(b, NEVER)));
    return ids;
  }

  static Comparator<Usage> byRecency() {
    return Comparator.<Usage>comparingLong(u -> u.lastAccessMillis).thenComparingLong(u -> u.sequence);
  }
}
