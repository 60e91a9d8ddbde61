package io.sluice.worker.block;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The store's tiers, fastest first, and where a new block has room among their directories. Guarded by the store's
 * lock: call only under it.
 */
final class Tiers {
  private final List<Tier> tiers;

  /** @param specs the tiers, any order (they are used fastest first) */
  Tiers(List<TierSpec> specs) {
    if (specs.isEmpty()) {
      throw new IllegalArgumentException("a block store needs at least one tier");
    }
    this.tiers = specs.stream().sorted(Comparator.comparing(TierSpec::alias)).map(Tier::new).toList();
  }

  List<Tier> fastestFirst() {
    return tiers;
  }

  Stream<StorageDir> dirs() {
    return tiers.stream().flatMap(t -> t.dirs.stream());
  }

  Tier of(StorageDir dir) {
    for (Tier t : tiers) {
      if (t.alias == dir.tier()) {
        return t;
      }
    }
    throw new IllegalStateException("no tier " + dir.tier());
  }

  /** The directory with the most room for {@code size} bytes in the fastest tier that has any, or null. */
  StorageDir roomiest(long size) {
    for (Tier t : tiers) {
      StorageDir best = null;
      for (StorageDir d : t.dirs) {
        if (!d.failed() && d.free() >= size && (best == null || d.free() > best.free())) {
          best = d;
        }
      }
      if (best != null) {
        return best;
      }
    }
    return null;
  }

  boolean allFailed() {
    return dirs().allMatch(StorageDir::failed);
  }

  /** Bytes the healthy directories of all tiers may hold. */
  long capacity() {
    return tiers.stream().mapToLong(Tier::capacity).sum();
  }

  /** Bytes of committed blocks. */
  long used() {
    return tiers.stream().mapToLong(t -> t.stats().used()).sum();
  }

  List<TierStats> stats() {
    return tiers.stream().map(Tier::stats).toList();
  }

  /** Each tier's used, reserved and capacity bytes, for an error message. */
  String describe() {
    StringBuilder s = new StringBuilder();
    for (Tier t : tiers) {
      TierStats st = t.stats();
      s.append(s.length() == 0 ? "" : ", ").append(st.alias()).append(' ').append(st.used()).append(" used + ")
          .append(st.reserved()).append(" reserved of ").append(st.capacity());
    }
    return s.toString();
  }
}
