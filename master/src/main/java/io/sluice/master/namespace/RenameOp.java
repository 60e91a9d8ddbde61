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
import java.util.OptionalLong;

/**
 * Moves a file or directory to a new path, atomically: one edge removed, one added, the inode's parent and name
 * changed; a directory's subtree moves with it untouched (children hang off its id). {@code dst} must not exist,
 * unless {@code replace} (POSIX rename(2)): then a file replaces a file and a directory an empty directory in the
 * same batch, the replaced file's blocks going to workers for removal. Its parent must be a directory; a directory
 * cannot move into its own subtree. Renaming a path to itself, or to another name of the same file (hard links,
 * as POSIX says), succeeds and changes nothing. Replacing a file with other names removes only the replaced name.
 * Moving one name of a file with several leaves the others where they are. Needs write and search
 * permission on both parents (and owning the source or its parent when that is sticky); moving a directory to
 * another parent also needs write permission on it (its {@code ..} changes), as in Linux. Errors: NOT_FOUND,
 * ALREADY_EXISTS, NOT_DIRECTORY, IS_DIRECTORY, NOT_EMPTY, PERMISSION_DENIED, INVALID_ARGUMENT.
 */
public final class RenameOp {
  private RenameOp() {}

  /**
   * What a rename moves, from which directory, and what it replaces (null: nothing); {@code noop} when nothing is
   * to change (the same path, or two names of one file).
   */
  private record Plan(InodeRecord inode, InodeRecord srcParent, InodeRecord replaced, boolean noop) {}

  public static Prepared prepare(RenameRequest req, Caller caller, LeaderContext ctx) throws RpcException {
    NamespacePath src = NamespacePath.parse(req.getSrc());
    NamespacePath dst = NamespacePath.parse(req.getDst());
    Plan plan = check(ctx.store().reader(), src, dst, req.getReplace(), caller);
    if (plan.noop()) {
      return Prepared.answer(ApplyResults.ok(plan.inode()));
    }
    RenameEntry e = RenameEntry.newBuilder().setSrc(src.toString()).setDst(dst.toString())
        .setTimeMs(ctx.clock().millis()).setReplace(req.getReplace()).build();
    return Prepared.propose(JournalEntry.newBuilder().setRename(e).setCaller(caller.toProto()).build());
  }

  public static ApplyResult apply(RenameEntry e, Caller caller, StoreBatch b) throws RpcException {
    NamespacePath src = NamespacePath.parse(e.getSrc());
    NamespacePath dst = NamespacePath.parse(e.getDst());
    Plan plan = check(b, src, dst, e.getReplace(), caller);
    InodeRecord inode = plan.inode();
    if (plan.noop()) {
      return ApplyResults.ok(inode);
    }
    long time = e.getTimeMs();
    List<Long> removed = List.of();
    if (plan.replaced() != null) {
      // Checked above: a file, or an empty directory, so this removes one name (and a file's blocks with its last).
      removed = TreeEdits.remove(b, PathResolver.parentDirectory(b, dst, Caller.SYSTEM), dst.name(), plan.replaced(),
          Caller.SYSTEM, time).blocks();
    }
    // Parents are read from the batch after each edit: src and dst may share one.
    InodeRecord srcParent = PathResolver.inode(b, plan.srcParent().getId(), src.parent().toString());
    TreeEdits.unlink(b, srcParent, src.name(), inode, time);
    InodeRecord dstParent = PathResolver.parentDirectory(b, dst, Caller.SYSTEM);
    InodeRecord moved = HardLinks.move(b, inode, srcParent.getId(), src.name(), dstParent.getId(), dst.name(), time);
    TreeEdits.link(b, dstParent, dst.name(), moved, time);
    return ApplyResults.ok(Inodes.toFileInfo(moved, dstParent.getId(), dst.name()), removed);
  }

  /** Validates the move against {@code reader}. */
  private static Plan check(NamespaceReader reader, NamespacePath src, NamespacePath dst, boolean replace,
      Caller caller) throws RpcException {
    if (src.isRoot()) {
      throw new RpcException(Status.INVALID_ARGUMENT, "/: the root cannot be renamed");
    }
    PathResolver.Walk walk = PathResolver.resolveWalk(reader, src, caller);
    InodeRecord inode = walk.deepest();
    InodeRecord srcParent = walk.parent();
    if (src.equals(dst)) {
      return new Plan(inode, srcParent, null, true);
    }
    Permissions.check(caller, srcParent, Permissions.WRITE | Permissions.EXECUTE, src.parent());
    Permissions.checkSticky(caller, srcParent, inode, src);
    if (src.contains(dst)) {
      throw new RpcException(Status.INVALID_ARGUMENT, "cannot move " + src + " into its own subtree " + dst);
    }
    if (dst.isRoot()) {
      throw new RpcException(Status.ALREADY_EXISTS, "/: file exists");
    }
    InodeRecord dstParent = PathResolver.parentDirectory(reader, dst, caller);
    OptionalLong existing = reader.childId(dstParent.getId(), dst.name());
    InodeRecord replaced = null;
    if (existing.isPresent()) {
      if (!replace) {
        throw new RpcException(Status.ALREADY_EXISTS, dst + ": file exists");
      }
      replaced = PathResolver.inode(reader, existing.getAsLong(), dst.toString());
      if (replaced.getId() == inode.getId()) {
        return new Plan(inode, srcParent, null, true);
      }
      checkReplaceable(reader, inode, replaced, dst);
    }
    Permissions.check(caller, dstParent, Permissions.WRITE | Permissions.EXECUTE, dst.parent());
    if (replaced != null) {
      Permissions.checkSticky(caller, dstParent, replaced, dst);
    }
    if (inode.getType() == FileType.DIRECTORY && dstParent.getId() != srcParent.getId()) {
      Permissions.check(caller, inode, Permissions.WRITE, src);
    }
    return new Plan(inode, srcParent, replaced, false);
  }

  /** POSIX: a file replaces a file, a directory an empty directory. */
  private static void checkReplaceable(NamespaceReader reader, InodeRecord inode, InodeRecord replaced,
      NamespacePath dst) throws RpcException {
    boolean dirOver = inode.getType() == FileType.DIRECTORY;
    boolean overDir = replaced.getType() == FileType.DIRECTORY;
    if (dirOver && !overDir) {
      throw new RpcException(Status.NOT_DIRECTORY, dst + ": not a directory (a directory cannot replace it)");
    }
    if (!dirOver && overDir) {
      throw new RpcException(Status.IS_DIRECTORY, dst + ": is a directory (a file cannot replace it)");
    }
    if (overDir && reader.hasChildren(replaced.getId())) {
      throw new RpcException(Status.NOT_EMPTY, dst + ": directory not empty");
    }
  }
}
