package io.sluice.master.mount;

import io.sluice.common.proto.MountInfo;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.namespace.NamespacePath;
import io.sluice.master.proto.MountRecord;
import io.sluice.master.store.NamespaceReader;
import java.util.Optional;

/** Lookups in the mount table as the store holds it (a handful of records, read whole). */
final class MountTable {
  private MountTable() {}

  /** The mount whose mount point is {@code p} or above it. */
  static Optional<MountInfo> covering(NamespaceReader reader, NamespacePath p) throws RpcException {
    for (MountRecord m : reader.mounts()) {
      if (NamespacePath.parse(m.getInfo().getPath()).contains(p)) {
        return Optional.of(m.getInfo());
      }
    }
    return Optional.empty();
  }

  /** A mount whose mount point is {@code p} or below it. */
  static Optional<MountInfo> within(NamespaceReader reader, NamespacePath p) throws RpcException {
    for (MountRecord m : reader.mounts()) {
      if (p.contains(NamespacePath.parse(m.getInfo().getPath()))) {
        return Optional.of(m.getInfo());
      }
    }
    return Optional.empty();
  }
}
