package io.sluice.master.namespace;

import io.sluice.common.proto.FileType;
import io.sluice.common.proto.LinkRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.proto.LinkEntry;
import io.sluice.master.store.NamespaceReader;
import io.sluice.master.store.StoreBatch;
import java.util.List;

/**
 * Creates a hard link (POSIX link(2)): {@code path} becomes one more name of the inode at {@code target}, whose
 * {@code nlink} and ctime change (names are kept by {@link HardLinks}). The target is a complete file or a symbolic
 * link (the link itself, as Linux's link(2) does without AT_SYMLINK_FOLLOW); both paths are Sluice-native, since a
 * UFS has no hard links. Needs search permission on the way to both and write and search permission on the
 * directory {@code path} goes into. Errors: NOT_FOUND (target, or the parent of path), ALREADY_EXISTS,
 * IS_DIRECTORY (target), NOT_DIRECTORY, PERMISSION_DENIED, INVALID_ARGUMENT (under a mount, a file still being
 * written, too many links, a bad path).
 */
public final class LinkOp {
  private LinkOp() {}

  /** What a link adds: a name in {@code parent} for {@code inode}. */
  private record Plan(InodeRecord inode, InodeRecord parent) {}

  public static Prepared prepare(LinkRequest req, Caller caller, LeaderContext ctx) throws RpcException {
    NamespacePath path = NamespacePath.parse(req.getPath());
    NamespacePath target = NamespacePath.parse(req.getTarget());
    check(ctx.store().reader(), path, target, caller);
    LinkEntry e = LinkEntry.newBuilder().setPath(path.toString()).setTarget(target.toString())
        .setTimeMs(ctx.clock().millis()).build();
    return Prepared.propose(JournalEntry.newBuilder().setLink(e).setCaller(caller.toProto()).build());
  }

  public static ApplyResult apply(LinkEntry e, Caller caller, StoreBatch b) throws RpcException {
    NamespacePath path = NamespacePath.parse(e.getPath());
    Plan plan = check(b, path, NamespacePath.parse(e.getTarget()), caller);
    InodeRecord linked = HardLinks.add(b, plan.inode(), plan.parent().getId(), path.name(), e.getTimeMs());
    TreeEdits.link(b, plan.parent(), path.name(), linked, e.getTimeMs());
    return ApplyResults.ok(Inodes.toFileInfo(linked, plan.parent().getId(), path.name()), List.of());
  }

  private static Plan check(NamespaceReader reader, NamespacePath path, NamespacePath target, Caller caller)
      throws RpcException {
    PathResolver.Walk found = PathResolver.walk(reader, target, caller);
    // The mount point always exists, so a path under a mount walks at least that far, loaded or not.
    if (found.deepest().getMountId() != 0) {
      throw underMount(target);
    }
    if (!found.complete()) {
      throw PathResolver.notFound(target);
    }
    InodeRecord inode = found.deepest();
    if (inode.getType() == FileType.DIRECTORY) {
      throw new RpcException(Status.IS_DIRECTORY, target + ": is a directory (directories cannot be hard linked)");
    }
    if (inode.getType() == FileType.FILE && !inode.getComplete()) {
      throw new RpcException(Status.INVALID_ARGUMENT, target + ": still being written; link it once it is closed");
    }
    if (inode.getNlink() >= HardLinks.MAX_NAMES) {
      throw new RpcException(Status.INVALID_ARGUMENT, target + ": too many links (" + inode.getNlink() + ")");
    }
    if (path.isRoot()) {
      throw new RpcException(Status.ALREADY_EXISTS, "/: file exists");
    }
    PathResolver.Walk walk = PathResolver.walk(reader, path, caller);
    if (walk.complete()) {
      throw new RpcException(Status.ALREADY_EXISTS, path + ": file exists");
    }
    if (walk.deepest().getMountId() != 0) {
      throw underMount(path);
    }
    if (walk.found() < path.depth() - 1) {
      throw new RpcException(Status.NOT_FOUND, path.parent() + ": no such directory");
    }
    InodeRecord parent = walk.deepest();
    Permissions.check(caller, parent, Permissions.WRITE | Permissions.EXECUTE, path.parent());
    return new Plan(inode, parent);
  }

  private static RpcException underMount(NamespacePath path) {
    return new RpcException(Status.INVALID_ARGUMENT, path + ": under a mount: hard links are not supported there "
        + "(an under file system has none)");
  }
}
