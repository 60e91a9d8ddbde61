package io.sluice.client.block;

import java.util.concurrent.atomic.AtomicBoolean;

/** A hold on a short-circuit lease ({@link LocalBlockRange#hold}): the lease lasts at least until released. */
public final class LeaseHold {
  private final Runnable release;
  private final AtomicBoolean released = new AtomicBoolean();

  LeaseHold(Runnable release) {
    this.release = release;
  }

  /** Lets the lease end, now if its stream has already closed. Idempotent; any thread. */
  public void release() {
    if (released.compareAndSet(false, true)) {
      release.run();
    }
  }
}
