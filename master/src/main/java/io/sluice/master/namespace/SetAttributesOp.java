package io.sluice.master.namespace;

import io.sluice.common.proto.SetAttributesRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.proto.SetAttributesEntry;
import io.sluice.master.store.NamespaceReader;
import io.sluice.master.store.StoreBatch;
import java.util.List;

/**
 * chmod, chown, chgrp and utimes of one inode, any subset in one entry; ctime becomes the time of the change.
 * Permission, as POSIX: mode and explicit times need owning the inode; times set to now also write permission;
 * the owner only by the superuser; the group by the owner when a member of the new group. Errors: NOT_FOUND,
 * NOT_DIRECTORY, PERMISSION_DENIED, INVALID_ARGUMENT.
 */
public final class SetAttributesOp {
  private SetAttributesOp() {}

  /** On the leader: validates, and picks the time (the ctime, and the times when {@code times_now}). */
  public static Prepared prepare(SetAttributesRequest req, Caller caller, LeaderContext ctx) throws RpcException {
    NamespacePath path = NamespacePath.parse(req.getPath());
    if (req.hasMode() && (req.getMode() & ~07777) != 0) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": mode " + Integer.toOctalString(req.getMode())
          + " has bits beyond 07777");
    }
    if (req.getTimesNow() && (req.hasMtimeMs() || req.hasAtimeMs())) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": times_now excludes explicit times");
    }
    if ((req.hasOwner() && req.getOwner().isEmpty()) || (req.hasGroup() && req.getGroup().isEmpty())) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": empty owner or group");
    }
    long now = ctx.clock().millis();
    SetAttributesEntry.Builder e = SetAttributesEntry.newBuilder().setPath(path.toString()).setTimeMs(now)
        .setTimesNow(req.getTimesNow());
    if (req.hasMode()) {
      e.setMode(req.getMode());
    }
    if (req.hasOwner()) {
      e.setOwner(req.getOwner());
    }
    if (req.hasGroup()) {
      e.setGroup(req.getGroup());
    }
    if (req.getTimesNow()) {
      e.setMtimeMs(now).setAtimeMs(now);
    } else {
      if (req.hasMtimeMs()) {
        e.setMtimeMs(req.getMtimeMs());
      }
      if (req.hasAtimeMs()) {
        e.setAtimeMs(req.getAtimeMs());
      }
    }
    check(ctx.store().reader(), e.build(), caller);
    return Prepared.propose(JournalEntry.newBuilder().setSetAttributes(e).setCaller(caller.toProto()).build());
  }

  /** On every master: re-checks against the current state and changes the inode. */
  public static ApplyResult apply(SetAttributesEntry e, Caller caller, StoreBatch b) throws RpcException {
    InodeRecord inode = check(b, e, caller);
    InodeRecord.Builder changed = inode.toBuilder().setCtimeMs(e.getTimeMs());
    if (e.hasMode()) {
      changed.setMode(e.getMode());
    }
    if (e.hasOwner()) {
      changed.setOwner(e.getOwner());
    }
    if (e.hasGroup()) {
      changed.setGroup(e.getGroup());
    }
    if (e.hasMtimeMs()) {
      changed.setMtimeMs(e.getMtimeMs());
    }
    if (e.hasAtimeMs()) {
      changed.setAtimeMs(e.getAtimeMs());
    }
    InodeRecord updated = changed.build();
    b.updateInode(updated);
    return ApplyResults.ok(Inodes.toFileInfo(updated), List.of());
  }

  private static InodeRecord check(NamespaceReader reader, SetAttributesEntry e, Caller caller)
      throws RpcException {
    NamespacePath path = NamespacePath.parse(e.getPath());
    InodeRecord inode = PathResolver.resolve(reader, path, caller);
    if (caller.superuser()) {
      return inode;
    }
    if (e.hasMode()) {
      Permissions.checkOwner(caller, inode, path);
    }
    if (e.hasOwner() && !e.getOwner().equals(inode.getOwner())) {
      throw Permissions.denied(caller, path, "changing the owner (superuser only)", inode);
    }
    if (e.hasGroup() && !e.getGroup().equals(inode.getGroup())) {
      Permissions.checkOwner(caller, inode, path);
      if (!caller.isMemberOf(e.getGroup())) {
        throw Permissions.denied(caller, path, "changing the group to " + e.getGroup() + ", not a member", inode);
      }
    }
    if (e.hasMtimeMs() || e.hasAtimeMs()) {
      if (e.getTimesNow() && !caller.user().equals(inode.getOwner())) {
        Permissions.check(caller, inode, Permissions.WRITE, path);
      } else {
        Permissions.checkOwner(caller, inode, path);
      }
    }
    return inode;
  }
}
