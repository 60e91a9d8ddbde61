package io.sluice.worker.block;

import java.util.List;

/** A tier's directories and eviction count; guarded by the store's lock. */
final class Tier {
  final TierAlias alias;
  final List<StorageDir> dirs;
  long evictions;

  Tier(TierSpec spec) {
    this.alias = spec.alias();
    this.dirs = spec.dirs().stream().map(d -> new StorageDir(spec.alias(), d.path(), d.capacity())).toList();
  }

  long capacity() {
    return dirs.stream().filter(d -> !d.failed()).mapToLong(StorageDir::capacity).sum();
  }

  /** Committed plus reserved bytes: what eviction compares with the watermarks. */
  long occupied() {
    return dirs.stream().filter(d -> !d.failed()).mapToLong(d -> d.used() + d.reserved()).sum();
  }

  TierStats stats() {
    long used = 0;
    long reserved = 0;
    long pooled = 0;
    int blocks = 0;
    int failed = 0;
    for (StorageDir d : dirs) {
      if (d.failed()) {
        failed++;
      } else {
        used += d.used();
        reserved += d.reserved();
        pooled += d.pooled();
        blocks += d.blocks();
      }
    }
    return new TierStats(alias, capacity(), used, reserved, pooled, blocks, evictions, dirs.size(), failed);
  }
}
