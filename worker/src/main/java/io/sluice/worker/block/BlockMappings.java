package io.sluice.worker.block;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which stored blocks are kept mapped ({@link MappedBlock}) for reads in transfer mode {@code mapped}: MEM blocks,
 * from their second read on. A block read once (a scan) is never mapped: mapping costs a page fault per 4 KiB page,
 * once, and only later reads win that back (on the development VM faulting in 1 GiB cost the worker 2-3 s of CPU,
 * and each later read of it saved about 0.06 s: tens of reads to break even; bench/RESULTS.md). The second read maps
 * the block and faults its pages in on a background thread, reading the file meanwhile; reads after that send from
 * the mapping. A mapping lives as long as its block is stored. Only the store calls this, with its lock held.
 */
final class BlockMappings {
  private static final Logger LOG = LoggerFactory.getLogger(BlockMappings.class);

  private final Object lock;
  /** One thread at most, ended when idle: faulting pages in is memory work, more threads would only contend. */
  private final ThreadPoolExecutor loader = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS,
      new LinkedBlockingQueue<>(), new DefaultThreadFactory("worker-block-mapper", true));
  private long mappedBytes;

  /** @param lock the store's monitor, which guards every mapping's references */
  BlockMappings(Object lock) {
    this.lock = lock;
  }

  /**
   * {@code b}'s mapping with a reference for the caller, or null when the caller should read the file: {@code b}
   * is not in a MEM tier, is read for the first time, or its pages are still being faulted in.
   */
  MappedBlock forRead(StoredBlock b) {
    if (b.mapping != null) {
      return b.mapping.readyLocked() ? b.mapping.retainLocked() : null;
    }
    if (b.dir.tier() != TierAlias.MEM || b.length == 0 || b.length > Integer.MAX_VALUE || b.reads++ == 0) {
      return null;
    }
    try {
      b.mapping = MappedBlock.map(lock, b.path, b.length);
    } catch (IOException | RuntimeException e) {
      b.reads = Integer.MIN_VALUE; // not again for this block: reads keep going through the file
      LOG.debug("cannot map block {} ({}): {}", b.id, b.path, e.toString());
      return null;
    }
    mappedBytes += b.length;
    MappedBlock m = b.mapping.retainLocked();
    String what = "block " + b.id + " (" + b.path + ")";
    loader.execute(() -> m.load(what));
    return null;
  }

  /** Drops {@code b}'s mapping, if any, as the block goes: unmapped now unless a reader or the load still holds it. */
  void drop(StoredBlock b) {
    if (b.mapping != null) {
      mappedBytes -= b.length;
      b.mapping.releaseLocked();
      b.mapping = null;
    }
  }

  /** Whether anything but the store still holds {@code b}'s mapping: then its file must not be reused. */
  static boolean inUse(StoredBlock b) {
    return b.mapping != null && b.mapping.inUse();
  }

  /** Bytes of the blocks kept mapped (their pages are the tier's own; the mapping adds page tables only). */
  long mappedBytes() {
    return mappedBytes;
  }
}
