package io.sluice.worker.copy;

import java.util.concurrent.atomic.AtomicLong;

/** Counts of the block copies this worker made for decommissions, since start; read by the metrics. */
public final class CopyStats {
  private final AtomicLong copied = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();

  void recordCopied(long length) {
    copied.incrementAndGet();
    bytes.addAndGet(length);
  }

  void recordFailed() {
    failed.incrementAndGet();
  }

  /** Blocks copied from another worker and committed here. */
  public long copied() {
    return copied.get();
  }

  /** Copy tasks that failed (a task read through from the UFS instead is not counted: its load is). */
  public long failed() {
    return failed.get();
  }

  /** Bytes of the blocks copied. */
  public long bytes() {
    return bytes.get();
  }
}
