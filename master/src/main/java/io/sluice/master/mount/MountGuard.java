package io.sluice.master.mount;

import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.namespace.NamespacePath;
import io.sluice.common.proto.MountInfo;
import io.sluice.master.store.NamespaceReader;
import java.util.Optional;

/**
 * What namespace mutations may not do to mounts, checked on the leader before they are decided: a mount point (or
 * a directory holding one) is neither deleted nor renamed, only unmounted; and paths under a mount are the UFS's.
 * Writing through to the UFS (DESIGN §4) is not built yet, so every mutation under a mount is refused with a clear
 * error rather than changing the namespace alone, which the next sync would silently undo.
 */
public final class MountGuard {
  private MountGuard() {}

  /** Refuses a mutation of {@code path} when it is a mount point or lies under one. */
  public static void checkNotUnderMount(NamespaceReader reader, String path) throws RpcException {
    NamespacePath p = NamespacePath.parse(path);
    Optional<MountInfo> m = MountTable.covering(reader, p);
    if (m.isPresent()) {
      throw new RpcException(Status.INVALID_ARGUMENT, p + ": under mount " + m.get().getPath() + " ("
          + m.get().getUfsUri() + "): changing UFS-backed paths through Sluice is not supported yet");
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
