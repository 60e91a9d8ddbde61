package io.sluice.master.namespace;

import io.sluice.common.proto.FileType;
import io.sluice.common.proto.RenameRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.proto.RenameEntry;
import io.sluice.master.store.NamespaceReader;
import io.sluice.master.store.StoreBatch;
import java.util.List;

/**
 * Moves a file or directory to a new path, atomically: one edge removed, one added, the inode's parent and name
 * changed; a directory's subtree moves with it untouched (children hang off its id). {@code dst} must not exist
 * (replacing comes later); its parent must be a directory; a directory cannot move into its own subtree. Renaming a
 * path to itself succeeds and changes nothing. Needs write and search permission on both parents (and owning the
 * source or its parent when that is sticky); moving a directory to another parent also needs write permission on
 * it (its {@code ..} changes), as in Linux. Errors: NOT_FOUND, ALREADY_EXISTS, NOT_DIRECTORY, PERMISSION_DENIED,
 * INVALID_ARGUMENT.
 */
public final class RenameOp {
  private RenameOp() {}

  public static Prepared prepare(RenameRequest req, Caller caller, LeaderContext ctx) throws RpcException {
    NamespacePath src = NamespacePath.parse(req.getSrc());
    NamespacePath dst = NamespacePath.parse(req.getDst());
    InodeRecord moved = check(ctx.store().reader(), src, dst, caller);
    if (src.equals(dst)) {
      return Prepared.answer(ApplyResults.ok(moved));
    }
    RenameEntry e = RenameEntry.newBuilder().setSrc(src.toString()).setDst(dst.toString())
        .setTimeMs(ctx.clock().millis()).build();
    return Prepared.propose(JournalEntry.newBuilder().setRename(e).setCaller(caller.toProto()).build());
  }

  public static ApplyResult apply(RenameEntry e, Caller caller, StoreBatch b) throws RpcException {
    NamespacePath src = NamespacePath.parse(e.getSrc());
    NamespacePath dst = NamespacePath.parse(e.getDst());
    InodeRecord inode = check(b, src, dst, caller);
    if (src.equals(dst)) {
      return ApplyResults.ok(inode);
    }
    long time = e.getTimeMs();
    InodeRecord srcParent = PathResolver.inode(b, inode.getParentId(), src.parent().toString());
    TreeEdits.unlink(b, srcParent, inode, time);
    // Read after the unlink: when both paths share a parent, this sees the unlink's update.
    InodeRecord dstParent = PathResolver.parentDirectory(b, dst, Caller.SYSTEM);
    InodeRecord moved = inode.toBuilder().setParentId(dstParent.getId()).setName(dst.name()).setCtimeMs(time)
        .build();
    b.updateInode(moved);
    TreeEdits.link(b, dstParent, moved, time);
    return ApplyResults.ok(Inodes.toFileInfo(moved), List.of());
  }

  /** Validates the move against {@code reader}; returns the inode to move. */
  private static InodeRecord check(NamespaceReader reader, NamespacePath src, NamespacePath dst, Caller caller)
      throws RpcException {
    if (src.isRoot()) {
      throw new RpcException(Status.INVALID_ARGUMENT, "/: the root cannot be renamed");
    }
    InodeRecord inode = PathResolver.resolve(reader, src, caller);
    if (src.equals(dst)) {
      return inode;
    }
    InodeRecord srcParent = PathResolver.inode(reader, inode.getParentId(), src.parent().toString());
    Permissions.check(caller, srcParent, Permissions.WRITE | Permissions.EXECUTE, src.parent());
    Permissions.checkSticky(caller, srcParent, inode, src);
    if (src.contains(dst)) {
      throw new RpcException(Status.INVALID_ARGUMENT, "cannot move " + src + " into its own subtree " + dst);
    }
    if (dst.isRoot()) {
      throw new RpcException(Status.ALREADY_EXISTS, "/: file exists");
    }
    InodeRecord dstParent = PathResolver.parentDirectory(reader, dst, caller);
    if (reader.childId(dstParent.getId(), dst.name()).isPresent()) {
      throw new RpcException(Status.ALREADY_EXISTS, dst + ": file exists");
    }
    Permissions.check(caller, dstParent, Permissions.WRITE | Permissions.EXECUTE, dst.parent());
    if (inode.getType() == FileType.DIRECTORY && dstParent.getId() != srcParent.getId()) {
      Permissions.check(caller, inode, Permissions.WRITE, src);
    }
    return inode;
  }
}
