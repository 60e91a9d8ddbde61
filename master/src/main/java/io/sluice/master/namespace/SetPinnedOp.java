package io.sluice.master.namespace;

import io.sluice.common.proto.SetPinnedRequest;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.proto.SetPinnedEntry;
import io.sluice.master.store.NamespaceReader;
import io.sluice.master.store.StoreBatch;
import java.util.List;

/**
 * {@code sluice fs pin|unpin PATH} (Alluxio's setPinned): sets the inode's own {@code pinned} flag. What that keeps
 * on the workers follows from {@link KeptFiles} (the flag of the file or of any directory above it); telling the
 * workers is the leader's business once the entry is applied ({@code io.sluice.master.rpc.PinSync}), since apply
 * never calls a worker. Needs write permission on the path, as a TTL does. Errors: NOT_FOUND, NOT_DIRECTORY,
 * PERMISSION_DENIED.
 */
public final class SetPinnedOp {
  private SetPinnedOp() {}

  public static Prepared prepare(SetPinnedRequest req, Caller caller, LeaderContext ctx) throws RpcException {
    NamespacePath path = NamespacePath.parse(req.getPath());
    SetPinnedEntry e = SetPinnedEntry.newBuilder().setPath(path.toString()).setPinned(req.getPinned())
        .setTimeMs(ctx.clock().millis()).build();
    check(ctx.store().reader(), e, caller);
    return Prepared.propose(JournalEntry.newBuilder().setSetPinned(e).setCaller(caller.toProto()).build());
  }

  public static ApplyResult apply(SetPinnedEntry e, Caller caller, StoreBatch b) throws RpcException {
    InodeRecord inode = check(b, e, caller);
    InodeRecord updated = inode.toBuilder().setPinned(e.getPinned()).setCtimeMs(e.getTimeMs()).build();
    b.updateInode(updated);
    return ApplyResults.ok(Inodes.toFileInfo(updated), List.of());
  }

  private static InodeRecord check(NamespaceReader reader, SetPinnedEntry e, Caller caller) throws RpcException {
    NamespacePath path = NamespacePath.parse(e.getPath());
    InodeRecord inode = PathResolver.resolve(reader, path, caller);
    Permissions.check(caller, inode, Permissions.WRITE, path);
    return inode;
  }
}
