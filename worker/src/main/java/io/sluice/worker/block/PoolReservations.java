package io.sluice.worker.block;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link PoolWarmer}'s way into the store: which directories pool, and room reserved for a file being
 * pre-touched until it enters its directory's pool. Each call takes the store's monitor (the lock that guards the
 * directories' accounting) itself; the warmer writes its files without it.
 */
final class PoolReservations {
  private static final Logger LOG = LoggerFactory.getLogger(PoolReservations.class);

  private final Object lock;
  private final Tiers tiers;
  private final AtomicLong tmpNames;

  /**
   * @param lock the store's monitor
   * @param tmpNames the store's temp file counter, shared with its writers so names never clash
   */
  PoolReservations(Object lock, Tiers tiers, AtomicLong tmpNames) {
    this.lock = lock;
    this.tiers = tiers;
    this.tmpNames = tmpNames;
  }

  /** The healthy directories that pool files (MEM). */
  List<StorageDir> poolingDirs() {
    synchronized (lock) {
      return tiers.dirs().filter(d -> d.pooling() && !d.failed()).toList();
    }
  }

  long pooled(StorageDir d) {
    synchronized (lock) {
      return d.pooled();
    }
  }

  /**
   * Reserves room in {@code d} for a file the warmer is about to write: up to {@code want} bytes of what is neither
   * committed, reserved nor pooled. Returns the bytes reserved, 0 when there is no such room.
   */
  long reserveWarm(StorageDir d, long want) {
    synchronized (lock) {
      long size = d.failed() ? 0 : Math.min(want, d.unpooledFree());
      if (size > 0) {
        d.reserve(size);
      }
      return size;
    }
  }

  Path warmPath(StorageDir d) {
    return d.warmPath(tmpNames.incrementAndGet());
  }

  /** Ends a {@link #reserveWarm} reservation: the file enters the pool if {@code whole}, else it is deleted. */
  void warmed(StorageDir d, Path file, long size, boolean whole) {
    synchronized (lock) {
      d.release(size);
      if (whole && !d.failed()) {
        try {
          d.pool(file, size);
          return;
        } catch (IOException e) {
          LOG.debug("cannot pool {}, deleting it: {}", file, e.toString());
        }
      }
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // tmp/ is emptied at the next start.
    }
  }
}
