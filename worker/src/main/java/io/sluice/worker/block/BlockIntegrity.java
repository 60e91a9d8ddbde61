package io.sluice.worker.block;

import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Block checksums and corruption: loads a block's chunk sums on first use and checks a block a reader reported
 * corrupt, removing it if it is. Reads files outside the lock; takes the store's monitor (the lock that guards the
 * table and {@link #corruptBlocks}) itself, so it must not be called with it held when it reads.
 */
final class BlockIntegrity {
  private static final Logger LOG = LoggerFactory.getLogger(BlockIntegrity.class);

  private final BlockStore store;
  private final BlockTable table;
  private final BlockRemover remover;
  /** Guarded by the store's lock. */
  private long corruptBlocks;

  BlockIntegrity(BlockStore store, BlockTable table, BlockRemover remover) {
    this.store = store;
    this.table = table;
    this.remover = remover;
  }

  /** See {@link BlockStore#checksums}. */
  int[] checksums(ReadLease lease) throws RpcException {
    StoredBlock b = lease.block();
    synchronized (store) {
      if (b.sums != null) {
        return b.sums;
      }
    }
    int[] sums;
    try {
      sums = BlockSums.read(b.dir.sumsPath(b.id, b.length), b.length);
      if (sums == null) {
        LOG.info("block {}: no checksums stored with it, summing {}", b.id, b.path);
        sums = BlockSums.compute(b.path, b.length);
      }
    } catch (IOException e) {
      throw new RpcException(Status.IO_ERROR, "block " + b.id + ": cannot read its checksums: " + e, e);
    }
    synchronized (store) {
      if (b.sums == null) {
        b.sums = sums;
      }
      return b.sums;
    }
  }

  /**
   * See {@link BlockStore#removeIfCorrupt}; adds the removed block to {@code removed} for the caller to report once
   * no lock is held.
   */
  boolean removeIfCorrupt(long blockId, List<Long> removed) throws RpcException {
    ReadLease lease;
    synchronized (store) { // the file stays this block's while it is read; not an access for eviction
      StoredBlock b = table.find(blockId);
      b.leases++;
      lease = new ReadLease(store, b);
    }
    boolean corrupt;
    try {
      int[] stored = checksums(lease);
      int[] now;
      try {
        now = BlockSums.compute(lease.path(), lease.length());
      } catch (IOException e) {
        throw new RpcException(Status.IO_ERROR, "block " + blockId + ": cannot read " + lease.path() + ": " + e, e);
      }
      corrupt = !Arrays.equals(stored, now);
    } finally {
      lease.close();
    }
    if (!corrupt) {
      return false;
    }
    synchronized (store) {
      StoredBlock b = table.get(blockId);
      if (b != lease.block()) {
        return false; // removed (or replaced) meanwhile
      }
      b.detachedReader = true; // never reuse a corrupt file's pages
      remover.unlink(b, removed);
      corruptBlocks++;
    }
    LOG.warn("block {} is corrupt: {} does not match its checksums; removed it", blockId, lease.path());
    return true;
  }

  /** Blocks found corrupt and removed since start; call under the store's lock. */
  long corruptBlocks() {
    return corruptBlocks;
  }
}
