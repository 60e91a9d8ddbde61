package io.sluice.master.namespace;

import io.sluice.common.proto.Status;
import io.sluice.common.proto.UnmountRequest;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.proto.UnmountEntry;
import io.sluice.master.store.NamespaceReader;
import io.sluice.master.store.StoreBatch;
import java.util.List;

/**
 * Removes a mount: the mount point, everything Sluice holds under it (the blocks go to the workers for removal)
 * and the mount record. The UFS is not touched. Only the superuser unmounts. Errors: NOT_FOUND, PERMISSION_DENIED,
 * INVALID_ARGUMENT (not a mount point).
 */
public final class UnmountOp {
  private UnmountOp() {}

  public static Prepared prepare(UnmountRequest req, Caller caller, LeaderContext ctx) throws RpcException {
    NamespacePath path = NamespacePath.parse(req.getPath());
    InodeRecord point = check(ctx.store().reader(), path, caller);
    UnmountEntry e = UnmountEntry.newBuilder().setPath(path.toString()).setMountId(point.getId())
        .setTimeMs(ctx.clock().millis()).build();
    return Prepared.propose(JournalEntry.newBuilder().setUnmount(e).setCaller(caller.toProto()).build());
  }

  public static ApplyResult apply(UnmountEntry e, Caller caller, StoreBatch b) throws RpcException {
    NamespacePath path = NamespacePath.parse(e.getPath());
    InodeRecord point = check(b, path, caller);
    if (point.getId() != e.getMountId()) {
      throw new RpcException(Status.STALE, path + ": mounted again since the request was decided; retry");
    }
    InodeRecord parent = PathResolver.inode(b, point.getParentId(), path.parent().toString());
    List<Long> blocks = TreeEdits.remove(b, parent, point.getName(), point, Caller.SYSTEM, e.getTimeMs()).blocks();
    b.deleteMount(point.getId());
    return ApplyResults.ok(null, blocks);
  }

  private static InodeRecord check(NamespaceReader reader, NamespacePath path, Caller caller) throws RpcException {
    if (!caller.superuser()) {
      throw new RpcException(Status.PERMISSION_DENIED, path + ": only the superuser may unmount");
    }
    InodeRecord point = PathResolver.resolve(reader, path, caller);
    if (!MountOp.isMountPoint(point)) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": not a mount point");
    }
    return point;
  }
}
