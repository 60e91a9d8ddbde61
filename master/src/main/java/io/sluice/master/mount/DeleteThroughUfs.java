package io.sluice.master.mount;

import io.sluice.common.proto.DeleteRequest;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.namespace.Caller;
import io.sluice.master.namespace.DeleteOp;
import io.sluice.master.namespace.LeaderContext;
import io.sluice.master.namespace.Prepared;

/**
 * The leader's side of deleting a path, shared by the DELETE RPC and expired TTLs (DESIGN §4, §5): first
 * {@link #check} (mount guards, then the metadata sync that loads what the UFS holds there), then {@link #prepare}
 * (decide with {@link DeleteOp}, then delete in the UFS). Whoever proposes the entry hands the blocks its result
 * releases to the worker registry. A UFS failure fails {@link #prepare} with nothing proposed, so the namespace never
 * forgets what the UFS still has.
 */
public final class DeleteThroughUfs {
  private DeleteThroughUfs() {}

  /**
   * Refuses a path that is or holds a mount point (INVALID_ARGUMENT) or lies under a read-only mount
   * (PERMISSION_DENIED), then syncs its metadata from the UFS (UFS_ERROR when the UFS does not answer).
   */
  public static void check(LeaderContext ctx, MountService mounts, String path) throws RpcException {
    MountGuard.checkHoldsNoMount(ctx.store().reader(), path);
    MountGuard.checkWritable(ctx.store().reader(), path);
    mounts.sync(path, false);
  }

  /**
   * Decides the delete and, when there is an entry to propose, deletes the path in the UFS first; see
   * {@link DeleteOp} for the errors.
   */
  public static Prepared prepare(DeleteRequest req, Caller caller, LeaderContext ctx, MountService mounts)
      throws RpcException {
    Prepared p = DeleteOp.prepare(req, caller, ctx);
    if (p.entry() != null) {
      mounts.deleteInUfs(req.getPath(), req.getRecursive());
    }
    return p;
  }
}
