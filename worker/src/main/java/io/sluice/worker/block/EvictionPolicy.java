package io.sluice.worker.block;

import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Decides which committed blocks to evict first. The store tells it of every block added, read and removed, and
 * asks it to order eviction candidates; the store alone decides which blocks are candidates (never pinned or
 * leased ones). Called only under the store's lock, so implementations need not be thread-safe.
 */
public interface EvictionPolicy {
  /** A block was committed (or found at start); counts as its first access. */
  void added(long blockId);

  /** A block was opened for reading. */
  void accessed(long blockId);

  /** A block left the store; forget it. */
  void removed(long blockId);

  /** {@code blockIds} ordered first victim first. Ids the policy never heard of come first. */
  List<Long> coldestFirst(Collection<Long> blockIds);

  /**
   * The policy named by {@code sluice.worker.evictor}.
   *
   * @throws IllegalArgumentException for a name other than LRU or LFU (any case)
   */
  static EvictionPolicy named(String name, Clock clock) {
    return switch (name.trim().toUpperCase(Locale.ROOT)) {
      case "LRU" -> new LruPolicy(clock);
      case "LFU" -> new LfuPolicy(clock);
      default -> throw new IllegalArgumentException("sluice.worker.evictor must be LRU or LFU, got '" + name + "'");
    };
  }
}
