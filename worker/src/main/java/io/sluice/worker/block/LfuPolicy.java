package io.sluice.worker.block;

import java.time.Clock;
import java.util.Comparator;

/**
 * Least frequently used first, the least recently used among equals: keeps a stable hot set (e.g. dimension
 * tables read by every query) from being flushed by one large scan.
 */
public final class LfuPolicy extends UsagePolicy {
  public LfuPolicy(Clock clock) {
    super(clock);
  }

  @Override
  Comparator<Usage> order() {
    return Comparator.<Usage>comparingLong(u -> u.accesses).thenComparing(byRecency());
  }
}
