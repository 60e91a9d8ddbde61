package io.sluice.worker.ufs;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the worker's cache did for block reads, read by metrics: READ_BLOCK calls served from a block the worker
 * held (hits) or through the UFS (misses), bytes read from the UFS, and UFS reads that failed because the store
 * did (UFS_ERROR; a file that changed under Sluice, STALE, is not a store failure and is not counted). Updated on
 * event loops and UFS threads ({@link LongAdder}s, so they do not contend).
 */
public final class ReadThroughStats {
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder ufsBytes = new LongAdder();
  private final LongAdder ufsErrors = new LongAdder();

  /** A READ_BLOCK call was served from a block this worker held. */
  public void hit() {
    hits.increment();
  }

  /** A READ_BLOCK call for a block this worker did not hold went to the UFS (joining a load, or not cached). */
  public void miss() {
    misses.increment();
  }

  void ufsRead(long bytes) {
    ufsBytes.add(bytes);
  }

  void ufsError() {
    ufsErrors.increment();
  }

  public long hits() {
    return hits.sum();
  }

  public long misses() {
    return misses.sum();
  }

  /** Bytes read from UFSs, by loads and by uncached reads. */
  public long ufsBytesRead() {
    return ufsBytes.sum();
  }

  /** UFS reads that failed with UFS_ERROR. */
  public long ufsErrors() {
    return ufsErrors.sum();
  }
}
