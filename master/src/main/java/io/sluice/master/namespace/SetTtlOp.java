package io.sluice.master.namespace;

import io.sluice.common.proto.SetTtlRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.TtlAction;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.ClearTtlEntry;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.proto.SetTtlEntry;
import io.sluice.master.store.NamespaceReader;
import io.sluice.master.store.StoreBatch;
import java.util.Collection;
import java.util.List;

/**
 * TTLs (DESIGN §5): {@code sluice ttl PATH 7d --action free|delete} stores the TTL in the inode and the inode's id
 * in column family {@code ttls}, which the leader scans for expired ones. Needs write permission on the path (as
 * Alluxio's setTtl). Clearing happens by the owner (ttl 0) or by the leader once it acted ({@link ClearTtlEntry}).
 */
public final class SetTtlOp {
  private SetTtlOp() {}

  public static Prepared prepare(SetTtlRequest req, Caller caller, LeaderContext ctx) throws RpcException {
    NamespacePath path = NamespacePath.parse(req.getPath());
    if (req.getTtlMs() < 0) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": negative TTL " + req.getTtlMs() + " ms");
    }
    if (req.getTtlMs() > 0 && req.getAction() != TtlAction.TTL_FREE && req.getAction() != TtlAction.TTL_DELETE) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": a TTL needs an action (free or delete)");
    }
    SetTtlEntry e = SetTtlEntry.newBuilder().setPath(path.toString()).setTtlMs(req.getTtlMs())
        .setAction(req.getTtlMs() == 0 ? TtlAction.TTL_ACTION_UNSPECIFIED : req.getAction())
        .setTimeMs(ctx.clock().millis()).build();
    check(ctx.store().reader(), e, caller);
    return Prepared.propose(JournalEntry.newBuilder().setSetTtl(e).setCaller(caller.toProto()).build());
  }

  public static ApplyResult apply(SetTtlEntry e, Caller caller, StoreBatch b) throws RpcException {
    InodeRecord inode = check(b, e, caller);
    InodeRecord updated = inode.toBuilder().setTtlMs(e.getTtlMs()).setTtlAction(e.getAction())
        .setCtimeMs(e.getTimeMs()).build();
    b.updateInode(updated);
    if (e.getTtlMs() > 0) {
      b.putTtl(inode.getId());
    } else if (inode.getTtlMs() > 0) {
      b.deleteTtl(inode.getId());
    }
    return ApplyResults.ok(Inodes.toFileInfo(updated), List.of());
  }

  /** The leader is done with the TTLs of {@code inodeIds} (acted on, or their inodes are gone): clears them. */
  public static Prepared prepareClear(Collection<Long> inodeIds, LeaderContext ctx) {
    return Prepared.propose(JournalEntry.newBuilder().setClearTtl(ClearTtlEntry.newBuilder()
        .addAllInodeIds(inodeIds).setTimeMs(ctx.clock().millis())).build());
  }

  /** Drops the TTLs the leader is done with; ids that hold none (any more) only lose their index key. */
  public static ApplyResult applyClear(ClearTtlEntry e, StoreBatch b) {
    for (long id : e.getInodeIdsList()) {
      b.deleteTtl(id);
      b.inode(id).filter(i -> i.getTtlMs() > 0).ifPresent(i -> b.updateInode(i.toBuilder().setTtlMs(0)
          .setTtlAction(TtlAction.TTL_ACTION_UNSPECIFIED).setCtimeMs(e.getTimeMs()).build()));
    }
    return ApplyResult.newBuilder().setStatus(Status.OK).build();
  }

  /**
   * When the TTL of {@code inode} runs out: its creation time plus its TTL ({@link Long#MAX_VALUE} when that
   * overflows); meaningless for an inode without a TTL.
   */
  public static long expiryMs(InodeRecord inode) {
    long created = Inodes.createdMs(inode);
    long expiry = created + inode.getTtlMs();
    return expiry < created ? Long.MAX_VALUE : expiry;
  }

  private static InodeRecord check(NamespaceReader reader, SetTtlEntry e, Caller caller) throws RpcException {
    NamespacePath path = NamespacePath.parse(e.getPath());
    InodeRecord inode = PathResolver.resolve(reader, path, caller);
    Permissions.check(caller, inode, Permissions.WRITE, path);
    return inode;
  }
}
