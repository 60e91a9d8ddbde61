package io.sluice.master.namespace;

import io.sluice.common.proto.AddBlockRequest;
import io.sluice.common.proto.BlockMeta;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.AddBlockEntry;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.store.StoreBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * Allocates the next block of a file being written. The block's index is the number of blocks the writer says it
 * has committed ({@code previous}), so a retried call allocates the same id, and a writer that abandons a block
 * and asks again with the same {@code previous} gets the same id back. Blocks allocated past {@code previous}
 * (from an abandoned attempt) are dropped and returned for removal. Journaled, so the file's allocated blocks are
 * known to every master: deleting an unfinished file removes them too.
 *
 * <p>Placement is not part of this op: the RPC layer places the block on workers (soft state).
 */
public final class AddBlockOp {
  /** What the leader decided: the entry to propose, the new block's id and the file's replication. */
  public record Plan(JournalEntry entry, long blockId, int replicas) {}

  private AddBlockOp() {}

  /** On the leader. Errors: NOT_FOUND, IS_DIRECTORY, INVALID_ARGUMENT (complete file, bad previous blocks). */
  public static Plan prepare(AddBlockRequest req, LeaderContext ctx) throws RpcException {
    InodeRecord file = OpenFiles.find(ctx.store().reader(), req.getFileId(), req.getPath());
    long blockId = check(file, req.getPath(), req.getPreviousList());
    AddBlockEntry e = AddBlockEntry.newBuilder().setFileId(file.getId()).addAllPrevious(req.getPreviousList())
        .setBlockId(blockId).setTimeMs(ctx.clock().millis()).build();
    return new Plan(JournalEntry.newBuilder().setAddBlock(e).build(), blockId, file.getReplicas());
  }

  public static ApplyResult apply(AddBlockEntry e, StoreBatch b) throws RpcException {
    InodeRecord file = OpenFiles.find(b, e.getFileId(), "file " + e.getFileId());
    long blockId = check(file, "file " + e.getFileId(), e.getPreviousList());
    if (blockId != e.getBlockId()) {
      throw new RpcException(Status.STALE, "file " + e.getFileId() + ": block " + e.getBlockId() + " expected "
          + blockId);
    }
    List<BlockMeta> allocated = file.getBlocksList();
    List<Long> removed = new ArrayList<>();
    for (int i = e.getPreviousCount() + 1; i < allocated.size(); i++) {
      removed.add(allocated.get(i).getBlockId());
    }
    long length = 0;
    for (BlockMeta m : e.getPreviousList()) {
      length += m.getLength();
    }
    InodeRecord updated = file.toBuilder().clearBlocks().addAllBlocks(e.getPreviousList())
        .addBlocks(BlockMeta.newBuilder().setBlockId(blockId)).setLength(length).setMtimeMs(e.getTimeMs()).build();
    b.updateInode(updated);
    return ApplyResults.ok(Inodes.toFileInfo(updated), removed);
  }

  /** Checks the file is open and {@code previous} are its first blocks; returns the next block's id. */
  private static long check(InodeRecord file, String path, List<BlockMeta> previous) throws RpcException {
    if (file.getComplete()) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": file is complete, no more blocks can be added");
    }
    CompleteFileOp.checkBlocks(file, path, previous, true);
    if (previous.size() >= BlockIds.MAX_BLOCKS) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": a file has at most " + BlockIds.MAX_BLOCKS
          + " blocks");
    }
    return BlockIds.of(file.getId(), previous.size());
  }
}
