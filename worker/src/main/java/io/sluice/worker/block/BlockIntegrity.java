package io.sluice.worker.block;

import io.sluice.common.checksum.ChunkChecksums;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Block checksums and corruption: loads a block's chunk sums on first use (converting sums an older worker stored in
 * another grid, once the block matched them) and checks a block a reader reported corrupt, removing it if it is.
 * Reads files outside the lock; takes the store's monitor (the lock that guards the table and {@link #corruptBlocks})
 * itself, so it must not be called with it held when it reads.
 */
final class BlockIntegrity {
  private static final Logger LOG = LoggerFactory.getLogger(BlockIntegrity.class);

  private final BlockStore store;
  private final BlockTable table;
  private final BlockRemover remover;
  /** Force rewritten sums files to disk. */
  private final boolean sync;
  /** Guarded by the store's lock. */
  private long corruptBlocks;

  BlockIntegrity(BlockStore store, BlockTable table, BlockRemover remover, boolean sync) {
    this.store = store;
    this.table = table;
    this.remover = remover;
    this.sync = sync;
  }

  /**
   * See {@link BlockStore#checksums}; adds the block to {@code removed} when it is found corrupt on loading (the
   * caller reports it once no lock is held).
   */
  int[] checksums(ReadLease lease, List<Long> removed) throws RpcException {
    int[] sums = load(lease.block(), removed);
    if (sums == null) {
      throw new RpcException(Status.NOT_FOUND, "block " + lease.blockId() + " did not match its stored checksums"
          + " and was removed as corrupt");
    }
    return sums;
  }

  /**
   * The block's sums in today's grid, loaded on first use; null when the block did not match sums stored in another
   * grid and is now removed (as {@link #removeIfCorrupt} does with a corrupt block).
   */
  private int[] load(StoredBlock b, List<Long> removed) throws RpcException {
    synchronized (store) {
      if (b.sums != null) {
        return b.sums;
      }
    }
    Path sumsFile = b.dir.sumsPath(b.id, b.length);
    int[] sums;
    try {
      BlockSums.Stored stored = BlockSums.read(sumsFile, b.length);
      if (stored == null) {
        LOG.info("block {}: no checksums stored with it, summing {}", b.id, b.path);
        sums = BlockSums.compute(b.path, b.length);
      } else if (stored.current()) {
        sums = stored.sums();
      } else {
        sums = BlockSums.regrid(b.path, b.length, stored);
        if (sums == null) {
          removeCorrupt(b, "does not match the checksums stored with it in " + stored.chunk() + "-byte chunks",
              removed);
          return null;
        }
        rewrite(b, sumsFile, sums, stored.chunk());
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
   * Replaces the block's sums file (sums in another grid, already checked) with {@code sums} in today's grid, so the
   * next start need not check the block again. Best effort: on failure the old file stays and is checked again then.
   * The new file is renamed in only while the block is still this one, so it never lands beside a later block of
   * the same id and length.
   */
  private void rewrite(StoredBlock b, Path sumsFile, int[] sums, int oldChunk) {
    Path tmp = null;
    try {
      // A unique name: two readers may load the same block at once. A crash leaves it to the orphan sums sweep.
      tmp = Files.createTempFile(sumsFile.getParent(), sumsFile.getFileName() + ".", ".tmp");
      BlockSums.overwrite(tmp, sums, sync);
      synchronized (store) {
        if (table.get(b.id) == b && !b.dir.failed()) {
          Files.move(tmp, sumsFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
          LOG.info("block {}: checked against its checksums in {}-byte chunks, stored them anew in {}-byte chunks",
              b.id, oldChunk, ChunkChecksums.CHUNK);
        }
      }
    } catch (IOException e) {
      LOG.warn("block {}: cannot store its checksums in {}-byte chunks, keeping the old file: {}", b.id,
          ChunkChecksums.CHUNK, e.toString());
    } finally {
      if (tmp != null) {
        BlockRemover.deleteQuietly(tmp);
      }
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
    try {
      int[] stored = load(lease.block(), removed);
      if (stored == null) {
        return true; // its sums were just loaded, and it did not match them
      }
      int[] now;
      try {
        now = BlockSums.compute(lease.path(), lease.length());
      } catch (IOException e) {
        throw new RpcException(Status.IO_ERROR, "block " + blockId + ": cannot read " + lease.path() + ": " + e, e);
      }
      if (Arrays.equals(stored, now)) {
        return false;
      }
    } finally {
      lease.close();
    }
    return removeCorrupt(lease.block(), "does not match its checksums", removed);
  }

  /** Removes corrupt block {@code b}, which {@code why} (after its path) describes; false when already gone. */
  private boolean removeCorrupt(StoredBlock b, String why, List<Long> removed) {
    synchronized (store) {
      if (table.get(b.id) != b) {
        return false; // removed (or replaced) meanwhile
      }
      b.detachedReader = true; // never reuse a corrupt file's pages
      remover.unlink(b, removed);
      corruptBlocks++;
    }
    LOG.warn("block {} is corrupt: {} {}; removed it", b.id, b.path, why);
    return true;
  }

  /** Blocks found corrupt and removed since start; call under the store's lock. */
  long corruptBlocks() {
    return corruptBlocks;
  }
}
