package io.sluice.master.namespace;

import io.sluice.common.proto.FileType;
import io.sluice.common.proto.MkdirRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.proto.MkdirEntry;
import io.sluice.master.store.NamespaceReader;
import io.sluice.master.store.StoreBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates a directory; with {@code recursive}, also its missing parents, and an existing directory is then no error
 * ({@code mkdir -p}). Needs write and search permission on the directory the first new one goes into. Errors:
 * ALREADY_EXISTS, NOT_FOUND (parent, not recursive), NOT_DIRECTORY (a file on the way), PERMISSION_DENIED,
 * INVALID_ARGUMENT (path), STALE (the namespace changed under the leader's decision; retry).
 */
public final class MkdirOp {
  private MkdirOp() {}

  /** On the leader: validates, picks ids and time. */
  public static Prepared prepare(MkdirRequest req, Caller caller, LeaderContext ctx) throws RpcException {
    NamespacePath path = NamespacePath.parse(req.getPath());
    NamespaceReader reader = ctx.store().reader();
    PathResolver.Walk walk = PathResolver.walk(reader, path, caller);
    if (walk.complete()) {
      if (req.getRecursive() && walk.deepest().getType() == FileType.DIRECTORY) {
        return Prepared.answer(ApplyResults.ok(walk.deepest()));
      }
      throw exists(path);
    }
    int missing = path.depth() - walk.found();
    if (!req.getRecursive() && missing > 1) {
      throw PathResolver.notFound(path.parent());
    }
    checkCreate(caller, walk);
    long first = ctx.ids().allocate(missing);
    List<Long> ids = new ArrayList<>(missing);
    for (int i = 0; i < missing; i++) {
      ids.add(first + i);
    }
    MkdirEntry e = MkdirEntry.newBuilder().setPath(path.toString()).setRecursive(req.getRecursive())
        .setMode(req.getMode() == 0 ? Inodes.DEFAULT_DIR_MODE : req.getMode() & 07777).setOwner(caller.user())
        .setTimeMs(ctx.clock().millis()).addAllIds(ids).build();
    return Prepared.propose(JournalEntry.newBuilder().setMkdir(e).setCaller(caller.toProto()).build());
  }

  /** On every master: re-validates against the current state and creates the directories. */
  public static ApplyResult apply(MkdirEntry e, Caller caller, StoreBatch b) throws RpcException {
    NamespacePath path = NamespacePath.parse(e.getPath());
    PathResolver.Walk walk = PathResolver.walk(b, path, caller);
    if (walk.complete()) {
      if (e.getRecursive() && walk.deepest().getType() == FileType.DIRECTORY) {
        return ApplyResults.ok(walk.deepest());
      }
      throw exists(path);
    }
    if (!e.getRecursive() && walk.found() < path.depth() - 1) {
      throw PathResolver.notFound(path.parent());
    }
    checkCreate(caller, walk);
    return ApplyResults.ok(TreeEdits.makeDirectories(b, walk, path.depth(), e.getIdsList().iterator(), e.getMode(),
        e.getOwner(), e.getGroup(), e.getTimeMs()));
  }

  /** Creating names in the deepest existing directory needs write and search permission on it. */
  static void checkCreate(Caller caller, PathResolver.Walk walk) throws RpcException {
    Permissions.check(caller, walk.deepest(), Permissions.WRITE | Permissions.EXECUTE,
        walk.path().prefix(walk.found()));
  }

  private static RpcException exists(NamespacePath path) {
    return new RpcException(Status.ALREADY_EXISTS, path + ": file exists");
  }
}
