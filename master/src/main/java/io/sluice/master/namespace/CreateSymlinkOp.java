package io.sluice.master.namespace;

import io.sluice.common.proto.CreateSymlinkRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.CreateSymlinkEntry;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.store.NamespaceReader;
import io.sluice.master.store.StoreBatch;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Creates a symbolic link. The target is stored as given and never followed by the master (DESIGN §3: clients
 * resolve links). Needs write and search permission on the parent. Errors: ALREADY_EXISTS, NOT_FOUND (parent),
 * NOT_DIRECTORY, PERMISSION_DENIED, INVALID_ARGUMENT (empty or oversized target, NUL), STALE.
 */
public final class CreateSymlinkOp {
  /** Linux's PATH_MAX: a longer target could not be followed anyway. */
  static final int MAX_TARGET_BYTES = 4096;

  private CreateSymlinkOp() {}

  public static Prepared prepare(CreateSymlinkRequest req, Caller caller, LeaderContext ctx) throws RpcException {
    NamespacePath path = NamespacePath.parse(req.getPath());
    String target = req.getTarget();
    if (target.isEmpty() || target.indexOf('\0') >= 0
        || target.getBytes(StandardCharsets.UTF_8).length > MAX_TARGET_BYTES) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": symlink target must be 1 to " + MAX_TARGET_BYTES
          + " bytes without NUL");
    }
    check(ctx.store().reader(), path, caller);
    CreateSymlinkEntry e = CreateSymlinkEntry.newBuilder().setPath(path.toString()).setTarget(target)
        .setId(ctx.ids().allocate(1)).setOwner(caller.user()).setTimeMs(ctx.clock().millis()).build();
    return Prepared.propose(JournalEntry.newBuilder().setCreateSymlink(e).setCaller(caller.toProto()).build());
  }

  public static ApplyResult apply(CreateSymlinkEntry e, Caller caller, StoreBatch b) throws RpcException {
    NamespacePath path = NamespacePath.parse(e.getPath());
    InodeRecord parent = check(b, path, caller);
    long id = TreeEdits.freshId(b, e.getId(), path);
    InodeRecord link = Inodes.symlink(id, parent.getId(), path.name(), e.getTarget(), e.getOwner(),
        parent.getGroup(), e.getTimeMs());
    b.insertInode(link);
    TreeEdits.link(b, parent, link, e.getTimeMs());
    return ApplyResults.ok(Inodes.toFileInfo(link), List.of());
  }

  /** Returns the parent directory the link goes into. */
  private static InodeRecord check(NamespaceReader reader, NamespacePath path, Caller caller) throws RpcException {
    if (path.isRoot()) {
      throw new RpcException(Status.ALREADY_EXISTS, "/: file exists");
    }
    InodeRecord parent = PathResolver.parentDirectory(reader, path, caller);
    if (reader.childId(parent.getId(), path.name()).isPresent()) {
      throw new RpcException(Status.ALREADY_EXISTS, path + ": file exists");
    }
    Permissions.check(caller, parent, Permissions.WRITE | Permissions.EXECUTE, path.parent());
    return parent;
  }
}
