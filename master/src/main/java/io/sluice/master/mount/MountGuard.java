package io.sluice.master.mount;

import io.sluice.common.proto.MountInfo;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.namespace.NamespacePath;
import io.sluice.master.store.NamespaceReader;
import java.util.Optional;

/**
 * What namespace mutations may not do to mounts, checked on the leader before they are decided: a mount point (or
 * a directory holding one) is neither deleted nor renamed, only unmounted; nothing changes under a read-only mount;
 * and what cannot be written through to the UFS yet (files, symlinks) is refused under a mount rather than made in
 * the namespace alone, where the next sync would silently drop it.
 */
public final class MountGuard {
  private MountGuard() {}

  /** Refuses to create {@code what} at {@code path} when it lies under a mount (no write-through for it yet). */
  public static void checkNotUnderMount(NamespaceReader reader, String path, String what) throws RpcException {
    NamespacePath p = NamespacePath.parse(path);
    Optional<MountInfo> m = MountTable.covering(reader, p);
    if (m.isPresent()) {
      throw new RpcException(Status.INVALID_ARGUMENT, p + ": under mount " + m.get().getPath() + " ("
          + m.get().getUfsUri() + "): creating " + what + " under a mount is not supported yet");
    }
  }

  /** Refuses any change at or under {@code path} when it lies under a read-only mount. */
  public static void checkWritable(NamespaceReader reader, String path) throws RpcException {
    NamespacePath p = NamespacePath.parse(path);
    Optional<MountInfo> m = MountTable.covering(reader, p);
    if (m.isPresent() && m.get().getReadOnly()) {
      throw new RpcException(Status.PERMISSION_DENIED, p + ": under read-only mount " + m.get().getPath());
    }
  }

  /** Refuses to delete or move {@code path} when a mount point is at or below it. */
  public static void checkHoldsNoMount(NamespaceReader reader, String path) throws RpcException {
    NamespacePath p = NamespacePath.parse(path);
    Optional<MountInfo> m = MountTable.within(reader, p);
    if (m.isPresent()) {
      throw new RpcException(Status.INVALID_ARGUMENT, p + ": " + (p.toString().equals(m.get().getPath()) ? "is"
          : "holds") + " mount point " + m.get().getPath() + "; unmount it first");
    }
  }
}
