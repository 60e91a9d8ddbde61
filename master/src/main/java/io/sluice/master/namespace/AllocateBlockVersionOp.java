package io.sluice.master.namespace;

import io.sluice.common.proto.AllocateBlockVersionRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.AllocateBlockVersionEntry;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.proto.VersionRecord;
import io.sluice.master.store.StoreBatch;
import java.util.List;

/**
 * Allocates a new version of one block of a complete file a writer changes (DESIGN §3, see
 * {@code AllocateBlockVersionRequest}). The version is recorded in column family {@code versions}, pending until a
 * {@link CommitEditOp} swaps it in. Not deduplicated: a retried call allocates another version, and the one it
 * does not use is named as abandoned at commit (or, the writer gone, left to the worker-report check).
 *
 * <p>Placement is not part of this op: the RPC layer places the block on workers (soft state).
 */
public final class AllocateBlockVersionOp {
  /** What the leader decided: the entry to propose, the version's id and the file's replication. */
  public record Plan(JournalEntry entry, long blockId, int replicas) {}

  private AllocateBlockVersionOp() {}

  /** On the leader. Errors: NOT_FOUND, IS_DIRECTORY, PERMISSION_DENIED, INVALID_ARGUMENT. */
  public static Plan prepare(AllocateBlockVersionRequest req, Caller caller, LeaderContext ctx) throws RpcException {
    InodeRecord file = OpenFiles.find(ctx.store().reader(), req.getFileId(), req.getPath());
    check(file, req.getIndex(), caller, req.getPath());
    long blockId = BlockIds.version(ctx.ids().allocate(1));
    AllocateBlockVersionEntry e = AllocateBlockVersionEntry.newBuilder().setFileId(file.getId())
        .setIndex(req.getIndex()).setBlockId(blockId).setTimeMs(ctx.clock().millis()).build();
    return new Plan(JournalEntry.newBuilder().setAllocateBlockVersion(e).setCaller(caller.toProto()).build(),
        blockId, file.getReplicas());
  }

  public static ApplyResult apply(AllocateBlockVersionEntry e, Caller caller, StoreBatch b) throws RpcException {
    String path = "file " + e.getFileId();
    InodeRecord file = OpenFiles.find(b, e.getFileId(), path);
    check(file, e.getIndex(), caller, path);
    if (!BlockIds.isVersion(e.getBlockId()) || b.version(e.getBlockId()).isPresent()) {
      throw new RpcException(Status.STALE, path + ": block version " + e.getBlockId() + " is in use");
    }
    b.putVersion(e.getBlockId(), BlockIds.counterId(e.getBlockId()), VersionRecord.newBuilder()
        .setFileId(file.getId()).setIndex(e.getIndex()).setAllocatedMs(e.getTimeMs()).build());
    return ApplyResults.ok(Inodes.toFileInfo(file), List.of());
  }

  private static void check(InodeRecord file, int index, Caller caller, String path) throws RpcException {
    CommitEditOp.checkEditable(file, caller, path);
    // Any index a file may have: a change that grows the file allocates blocks past its committed end.
    if (index < 0 || index >= BlockIds.MAX_BLOCKS) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": block index " + index + " out of range (a file has "
          + "at most " + BlockIds.MAX_BLOCKS + " blocks)");
    }
  }
}
