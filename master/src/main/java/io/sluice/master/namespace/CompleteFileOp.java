package io.sluice.master.namespace;

import io.sluice.common.proto.BlockMeta;
import io.sluice.common.proto.CompleteFileRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.CompleteFileEntry;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.store.StoreBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * Closes a file being written: fixes its block list and length and marks it complete. Allocated blocks not in the
 * final list are returned for removal. Completing an already complete file with the same blocks succeeds (a
 * retried call). Errors: NOT_FOUND, IS_DIRECTORY, INVALID_ARGUMENT (blocks not the file's, lengths that do not add
 * up, complete with other blocks).
 */
public final class CompleteFileOp {
  private CompleteFileOp() {}

  public static Prepared prepare(CompleteFileRequest req, LeaderContext ctx) throws RpcException {
    InodeRecord file = OpenFiles.find(ctx.store().reader(), req.getFileId(), req.getPath());
    check(file, req.getPath(), req.getBlocksList(), req.getLength());
    if (file.getComplete()) {
      return Prepared.answer(ApplyResults.ok(file));
    }
    checkUfs(file, req.getPath(), req.getUfsFingerprint());
    CompleteFileEntry e = CompleteFileEntry.newBuilder().setFileId(file.getId()).addAllBlocks(req.getBlocksList())
        .setLength(req.getLength()).setTimeMs(ctx.clock().millis()).setUfsFingerprint(req.getUfsFingerprint())
        .build();
    return Prepared.propose(JournalEntry.newBuilder().setCompleteFile(e).build());
  }

  public static ApplyResult apply(CompleteFileEntry e, StoreBatch b) throws RpcException {
    String path = "file " + e.getFileId();
    InodeRecord file = OpenFiles.find(b, e.getFileId(), path);
    check(file, path, e.getBlocksList(), e.getLength());
    if (file.getComplete()) {
      return ApplyResults.ok(file);
    }
    checkUfs(file, path, e.getUfsFingerprint());
    List<Long> removed = new ArrayList<>();
    for (int i = e.getBlocksCount(); i < file.getBlocksCount(); i++) {
      removed.add(file.getBlocks(i).getBlockId());
    }
    InodeRecord done = file.toBuilder().clearBlocks().addAllBlocks(e.getBlocksList()).setLength(e.getLength())
        .setComplete(true).setMtimeMs(e.getTimeMs()).setUfsFingerprint(e.getUfsFingerprint()).build();
    b.updateInode(done);
    return ApplyResults.ok(Inodes.toFileInfo(done), removed);
  }

  /**
   * A file under a mount is complete only once written through to the UFS (its fingerprint given); outside mounts
   * there is nothing to give.
   */
  private static void checkUfs(InodeRecord file, String path, String fingerprint) throws RpcException {
    if (file.getMountId() != 0 && fingerprint.isEmpty()) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": under a mount, but completed without its UFS "
          + "fingerprint (the writer must write it through to the UFS)");
    }
    if (file.getMountId() == 0 && !fingerprint.isEmpty()) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": not under a mount, but completed with a UFS "
          + "fingerprint");
    }
  }

  private static void check(InodeRecord file, String path, List<BlockMeta> blocks, long length)
      throws RpcException {
    if (file.getComplete()) {
      if (!file.getBlocksList().equals(blocks) || file.getLength() != length) {
        throw new RpcException(Status.INVALID_ARGUMENT, path + ": file is already complete with other blocks");
      }
      return;
    }
    checkBlocks(file, path, blocks, false);
    long sum = 0;
    for (BlockMeta m : blocks) {
      sum += m.getLength();
    }
    if (sum != length) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": length " + length + " but blocks hold " + sum);
    }
  }

  /**
   * Checks that {@code blocks} are the file's first allocated blocks, in order, and that every block but the last
   * is exactly one block size long (so a reader finds offset {@code o} in block {@code o / blockSize}); with
   * {@code allFull} the last one too.
   */
  static void checkBlocks(InodeRecord file, String path, List<BlockMeta> blocks, boolean allFull)
      throws RpcException {
    if (blocks.size() > file.getBlocksCount()) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": " + blocks.size() + " blocks given but only "
          + file.getBlocksCount() + " allocated");
    }
    for (int i = 0; i < blocks.size(); i++) {
      BlockMeta m = blocks.get(i);
      if (m.getBlockId() != file.getBlocks(i).getBlockId()) {
        throw new RpcException(Status.INVALID_ARGUMENT, path + ": block " + i + " is " + file.getBlocks(i)
            .getBlockId() + ", not " + m.getBlockId());
      }
      boolean last = i == blocks.size() - 1;
      boolean lengthOk = (last && !allFull) ? m.getLength() >= 0 && m.getLength() <= file.getBlockSize()
          : m.getLength() == file.getBlockSize();
      if (!lengthOk) {
        throw new RpcException(Status.INVALID_ARGUMENT, path + ": block " + i + " has length " + m.getLength()
            + " (block size " + file.getBlockSize() + ")");
      }
    }
  }
}
