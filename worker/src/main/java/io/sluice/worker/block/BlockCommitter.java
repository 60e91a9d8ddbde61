package io.sluice.worker.block;

import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Ends a temp block's life: commit (sums and fsync outside the lock, then the atomic renames and the map update
 * under it), abort (the reservation back, the file to the pool when it can be) or a write failure (its directory
 * failed). Takes the store's monitor itself for the shared state; listeners are told after it is released.
 */
final class BlockCommitter {
  private final BlockStore store;
  private final Tiers tiers;
  private final BlockTable table;
  private final PinnedBlocks pins;
  private final BlockRemover remover;
  private final boolean sync;

  /** @param sync fsync each block before it is committed */
  BlockCommitter(BlockStore store, Tiers tiers, BlockTable table, PinnedBlocks pins, BlockRemover remover,
      boolean sync) {
    this.store = store;
    this.tiers = tiers;
    this.table = table;
    this.pins = pins;
    this.remover = remover;
    this.sync = sync;
  }

  /**
   * Makes a finished temp block visible; called by {@link TempBlock#commit()}. With {@code lease}, the block is
   * leased in the same critical section, so no eviction can slip in between commit and lease, and the lease is
   * returned (else null). With {@code pin} it is pinned in that section too.
   */
  ReadLease commit(TempBlock block, long length, boolean lease, boolean pin) throws RpcException {
    List<Long> removed = new ArrayList<>();
    boolean committed = false;
    ReadLease held = null;
    StorageDir dir = block.dir();
    int[] sums = block.finishChecksums();
    Path sumsTmp = Path.of(block.tmpPath() + ".sums");
    try {
      IOException syncError = null;
      try {
        if (block.reused()) {
          block.channel().truncate(length); // drops the old tail: the file must be exactly the block
        }
        if (sync) {
          block.channel().force(true);
        }
        BlockSums.write(sumsTmp, sums, sync);
      } catch (IOException e) {
        syncError = e;
      }
      synchronized (store) {
        dir.release(block.maxLength());
        if (syncError != null) {
          remover.failDir(dir, syncError, removed);
          throw ioError(block.blockId(), syncError);
        }
        if (table.contains(block.blockId())) {
          throw new RpcException(Status.ALREADY_EXISTS, "block " + block.blockId() + " already exists");
        }
        if (dir.failed()) {
          throw new RpcException(Status.IO_ERROR, "cannot commit block " + block.blockId() + ": directory "
              + dir.root() + " failed");
        }
        Path target = dir.blockPath(block.blockId(), length);
        try {
          // Sums first: a block file found at start then always has its sums (a crash leaves at most orphan sums).
          Files.move(sumsTmp, dir.sumsPath(block.blockId(), length), StandardCopyOption.ATOMIC_MOVE);
          Files.move(block.tmpPath(), target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
          // Sums already moved would name a block that never came: leave none behind for the next start to find.
          BlockRemover.deleteQuietly(dir.sumsPath(block.blockId(), length));
          remover.failDir(dir, e, removed);
          throw ioError(block.blockId(), e);
        }
        StoredBlock b = new StoredBlock(block.blockId(), dir, target, length, sums);
        table.add(b);
        committed = true;
        if (lease) {
          b.leases++;
          held = new ReadLease(store, b);
        }
        if (pin) {
          pins.pin(b.id);
        }
        // The block just written is the one a reader most likely wants next: never its own victim.
        remover.evictToWatermark(tiers.of(dir), block.blockId(), removed);
      }
    } finally {
      if (!committed) {
        BlockRemover.deleteQuietly(sumsTmp);
      }
      if (committed) {
        store.listener().committed(block.blockId());
      }
      removed.forEach(store.listener()::removed);
    }
    return held;
  }

  private static RpcException ioError(long blockId, IOException e) {
    return new RpcException(Status.IO_ERROR, "cannot commit block " + blockId + ": " + e, e);
  }

  /**
   * Gives back the reservation of an abandoned temp block and pools its file of {@code size} bytes when its directory
   * pools (-1: never, a reader may have it open); called by {@link TempBlock#abort()} once the file is closed.
   *
   * @return whether the file was pooled; else the caller deletes it
   */
  boolean aborted(TempBlock block, long size) {
    synchronized (store) {
      StorageDir dir = block.dir();
      dir.release(block.maxLength());
      // An empty file has no pages to keep; a failed directory is never written again.
      if (size <= 0 || !dir.pooling() || dir.failed()) {
        return false;
      }
      try {
        dir.pool(block.tmpPath(), size); // at most maxLength bytes, just released: the total cannot grow
        return true;
      } catch (IOException e) {
        return false;
      }
    }
  }

  /** A write to {@code block}'s temp file failed: its directory is failed. */
  void writeFailed(TempBlock block, IOException cause) {
    List<Long> removed = new ArrayList<>();
    synchronized (store) {
      remover.failDir(block.dir(), cause, removed);
    }
    removed.forEach(store.listener()::removed);
  }
}
