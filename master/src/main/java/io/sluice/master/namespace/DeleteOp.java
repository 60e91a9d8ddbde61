package io.sluice.master.namespace;

import io.sluice.common.proto.DeleteRequest;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.DeleteEntry;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.store.NamespaceReader;
import io.sluice.master.store.StoreBatch;
import java.util.List;

/**
 * Deletes a file or directory; a non-empty directory only with {@code recursive}, and then all of its subtree in
 * one entry. Returns the ids of every deleted file's blocks, for workers to drop. A file with other names (hard
 * links) only loses this one; its blocks stay. Needs write and search permission
 * on the parent (and owning the target or the parent when the parent is sticky); a recursive delete also needs full
 * permission on every non-empty directory of the subtree (as HDFS). Errors: NOT_FOUND, NOT_EMPTY, NOT_DIRECTORY (a
 * file on the way), PERMISSION_DENIED, INVALID_ARGUMENT (the root, a bad path).
 */
public final class DeleteOp {
  private DeleteOp() {}

  public static Prepared prepare(DeleteRequest req, Caller caller, LeaderContext ctx) throws RpcException {
    NamespacePath path = NamespacePath.parse(req.getPath());
    check(ctx.store().reader(), path, req.getRecursive(), caller);
    DeleteEntry e = DeleteEntry.newBuilder().setPath(path.toString()).setRecursive(req.getRecursive())
        .setTimeMs(ctx.clock().millis()).build();
    return Prepared.propose(JournalEntry.newBuilder().setDelete(e).setCaller(caller.toProto()).build());
  }

  public static ApplyResult apply(DeleteEntry e, Caller caller, StoreBatch b) throws RpcException {
    NamespacePath path = NamespacePath.parse(e.getPath());
    PathResolver.Walk w = check(b, path, e.getRecursive(), caller);
    // The subtree's permissions are checked while it is removed, in this batch: a denial discards the batch.
    List<Long> blocks = TreeEdits.remove(b, w.parent(), path.name(), w.deepest(), caller, e.getTimeMs()).blocks();
    return ApplyResults.ok(null, blocks);
  }

  /** The walk to the path: the target and the directory it is removed from. */
  private static PathResolver.Walk check(NamespaceReader reader, NamespacePath path, boolean recursive,
      Caller caller) throws RpcException {
    if (path.isRoot()) {
      throw new RpcException(Status.INVALID_ARGUMENT, "/: the root cannot be deleted");
    }
    PathResolver.Walk w = PathResolver.resolveWalk(reader, path, caller);
    InodeRecord target = w.deepest();
    InodeRecord parent = w.parent();
    Permissions.check(caller, parent, Permissions.WRITE | Permissions.EXECUTE, path.parent());
    Permissions.checkSticky(caller, parent, target, path);
    if (target.getType() == FileType.DIRECTORY && !recursive && reader.hasChildren(target.getId())) {
      throw new RpcException(Status.NOT_EMPTY, path + ": directory not empty");
    }
    return w;
  }
}
