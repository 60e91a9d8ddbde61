package io.sluice.master.namespace;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Hands out inode ids on the leader, before it proposes. Ids are never reused: the counter never goes below the
 * store's next id (a leader serves only once it has applied every entry of earlier terms, so it starts above every
 * id in use) nor back over ids already handed out for entries still in flight. Apply refuses an id that is in use
 * (STALE) as a last guard.
 */
public final class InodeIdAllocator {
  private final AtomicLong next = new AtomicLong();
  private final LongSupplier storeNext;

  /** @param storeNext the store's next unused id ({@code NamespaceStore::nextInodeId}) */
  public InodeIdAllocator(LongSupplier storeNext) {
    this.storeNext = storeNext;
  }

  /** Reserves {@code n} consecutive ids and returns the first. */
  public long allocate(int n) {
    long floor = storeNext.getAsLong();
    return next.updateAndGet(v -> Math.max(v, floor) + n) - n;
  }
}
