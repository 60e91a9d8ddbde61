package io.sluice.master.namespace;

import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.InodeRecord;

/**
 * POSIX permission checks on inodes: the owner's, the group's or the others' bits, whichever class the caller falls
 * in first (as POSIX: an owner without the bit is denied even if the group has it), the sticky bit, ownership. The
 * superuser passes every check. Used by the leader before proposing and again by apply.
 */
final class Permissions {
  static final int READ = 4;
  static final int WRITE = 2;
  static final int EXECUTE = 1;
  static final int STICKY = 01000;

  private Permissions() {}

  /** Fails with PERMISSION_DENIED unless {@code caller} has every bit of {@code access} on {@code inode}. */
  static void check(Caller caller, InodeRecord inode, int access, Object path) throws RpcException {
    if (caller.superuser()) {
      return;
    }
    int mode = inode.getMode();
    int bits;
    if (caller.user().equals(inode.getOwner())) {
      bits = mode >> 6;
    } else if (caller.isMemberOf(inode.getGroup())) {
      bits = mode >> 3;
    } else {
      bits = mode;
    }
    if ((bits & access) != access) {
      throw denied(caller, path, rwx(access) + " access", inode);
    }
  }

  /**
   * Removing or renaming {@code child} out of a sticky {@code parent} (like /tmp) needs owning the child or the
   * parent.
   */
  static void checkSticky(Caller caller, InodeRecord parent, InodeRecord child, Object path) throws RpcException {
    if (caller.superuser() || (parent.getMode() & STICKY) == 0) {
      return;
    }
    if (!caller.user().equals(child.getOwner()) && !caller.user().equals(parent.getOwner())) {
      throw denied(caller, path, "removal from a sticky directory", child);
    }
  }

  /** Fails with PERMISSION_DENIED unless {@code caller} owns {@code inode} (or is the superuser). */
  static void checkOwner(Caller caller, InodeRecord inode, Object path) throws RpcException {
    if (!caller.superuser() && !caller.user().equals(inode.getOwner())) {
      throw denied(caller, path, "owner-only change", inode);
    }
  }

  static RpcException denied(Caller caller, Object path, String what, InodeRecord inode) {
    return new RpcException(Status.PERMISSION_DENIED, path + ": permission denied (user " + caller.user() + ", "
        + what + "; inode " + inode.getOwner() + ":" + inode.getGroup() + " " + Integer.toOctalString(inode.getMode())
        + ")");
  }

  private static String rwx(int access) {
    return ((access & READ) != 0 ? "r" : "") + ((access & WRITE) != 0 ? "w" : "")
        + ((access & EXECUTE) != 0 ? "x" : "");
  }
}
