package io.sluice.worker.block;

import java.time.Clock;
import java.util.Comparator;

/**
 * Least recently used first: the default; it follows a working set that drifts, at the cost of being flushed by a
 * large scan.
 */
public final class LruPolicy extends UsagePolicy {
  public LruPolicy(Clock clock) {
    super(clock);
  }

  @Override
  Comparator<Usage> order() {
    return byRecency();
  }
}
