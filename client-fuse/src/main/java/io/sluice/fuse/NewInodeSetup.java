package io.sluice.fuse;

import io.sluice.client.SluiceClient;
import io.sluice.common.rpc.RpcException;
import java.util.function.Supplier;
import ru.serce.jnrfuse.struct.FuseContext;

/**
 * What an inode this mount just made (create, mkdir, symlink) needs beyond its creation: the mode and the owner the
 * caller asked for, which the master's create calls cannot take as such.
 */
final class NewInodeSetup implements FileCallbacks.NewFileSetup {
  private final SluiceClient client;
  private final OwnerMapping owners;
  private final long mountUid;
  private final long mountGid;
  /** libfuse's context of the callback running on this thread: who asked. */
  private final Supplier<FuseContext> context;

  NewInodeSetup(SluiceClient client, OwnerMapping owners, long mountUid, long mountGid,
      Supplier<FuseContext> context) {
    this.client = client;
    this.owners = owners;
    this.mountUid = mountUid;
    this.mountGid = mountGid;
    this.context = context;
  }

  /** A file or directory made with {@code mode} (the caller's umask applied by the kernel). */
  @Override
  public boolean created(String path, long mode) throws RpcException {
    boolean modeSet = keepZeroMode(path, mode);
    return ownByCaller(path) || modeSet;
  }

  /**
   * The master takes mode 0 at creation for "the default" (0644, 0755), but after the caller's umask 0 can be meant
   * (umask 0777): set it afterwards.
   */
  private boolean keepZeroMode(String path, long mode) throws RpcException {
    if ((mode & 07777) == 0) {
      client.setMode(path, 0);
      return true;
    }
    return false;
  }

  /**
   * A new inode made for another local user (allow_other) becomes theirs; see {@link Handover}.
   *
   * @return whether it was handed over
   */
  boolean ownByCaller(String path) throws RpcException {
    FuseContext ctx = context.get();
    long uid = ctx.uid.get();
    long gid = ctx.gid.get();
    if (uid != mountUid || gid != mountGid) {
      Handover.give(client, path, owners.userName(uid), owners.groupName(gid));
      return true;
    }
    return false;
  }
}
