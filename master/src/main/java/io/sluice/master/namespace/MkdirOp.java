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
 * ({@code mkdir -p}). Errors: ALREADY_EXISTS, NOT_FOUND (parent, not recursive), NOT_DIRECTORY (a file on the way),
 * INVALID_ARGUMENT (path), STALE (the namespace changed under the leader's decision; retry).
 */
public final class MkdirOp {
  private MkdirOp() {}

  /** On the leader: validates, picks ids and time. */
  public static Prepared prepare(MkdirRequest req, String user, LeaderContext ctx) throws RpcException {
    NamespacePath path = NamespacePath.parse(req.getPath());
    NamespaceReader reader = ctx.store().reader();
    PathResolver.Walk walk = PathResolver.walk(reader, path);
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
    long first = ctx.ids().allocate(missing);
    List<Long> ids = new ArrayList<>(missing);
    for (int i = 0; i < missing; i++) {
      ids.add(first + i);
    }
    MkdirEntry e = MkdirEntry.newBuilder().setPath(path.toString()).setRecursive(req.getRecursive())
        .setMode(req.getMode() == 0 ? Inodes.DEFAULT_DIR_MODE : req.getMode() & 07777).setOwner(user)
        .setTimeMs(ctx.clock().millis()).addAllIds(ids).build();
    return Prepared.propose(JournalEntry.newBuilder().setMkdir(e).build());
  }

  /** On every master: re-validates against the current state and creates the directories. */
  public static ApplyResult apply(MkdirEntry e, StoreBatch b) throws RpcException {
    NamespacePath path = NamespacePath.parse(e.getPath());
    PathResolver.Walk walk = PathResolver.walk(b, path);
    if (walk.complete()) {
      if (e.getRecursive() && walk.deepest().getType() == FileType.DIRECTORY) {
        return ApplyResults.ok(walk.deepest());
      }
      throw exists(path);
    }
    if (!e.getRecursive() && walk.found() < path.depth() - 1) {
      throw PathResolver.notFound(path.parent());
    }
    return ApplyResults.ok(TreeEdits.makeDirectories(b, walk, path.depth(), e.getIdsList().iterator(), e.getMode(),
        e.getOwner(), e.getGroup(), e.getTimeMs()));
  }

  private static RpcException exists(NamespacePath path) {
    return new RpcException(Status.ALREADY_EXISTS, path + ": file exists");
  }
}
