package io.sluice.master.mount;

import io.sluice.common.proto.MountInfo;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.namespace.NamespacePath;
import io.sluice.master.store.NamespaceReader;
import io.sluice.ufs.UfsException;
import io.sluice.ufs.UfsPath;
import io.sluice.ufs.UnderFileSystem;
import java.io.IOException;
import java.net.URI;
import java.util.Optional;

/**
 * Namespace changes under a mount go to the UFS first (DESIGN §4, cache mode), on the leader, after the operation
 * was decided and before it is proposed: a UFS failure answers UFS_ERROR with the cause and leaves the namespace as
 * it was. Paths outside mounts pass through untouched.
 *
 * <p>Not atomic across the two stores: the leader dying between the UFS change and the proposal leaves the UFS
 * ahead of the namespace until the next sync of that directory brings the namespace along (the UFS is the truth).
 */
final class WriteThrough {
  private final UfsConnectors connectors;

  WriteThrough(UfsConnectors connectors) {
    this.connectors = connectors;
  }

  /** Makes directory {@code path} (and missing parents) in its mount's UFS. */
  void mkdir(NamespaceReader reader, String path) throws RpcException {
    Optional<Target> t = target(reader, path);
    if (t.isPresent()) {
      run(t.get(), ufs -> ufs.mkdirs(t.get().ufsPath()));
    }
  }

  /** Deletes {@code path} in its mount's UFS; already gone there is fine (the namespace follows). */
  void delete(NamespaceReader reader, String path, boolean recursive) throws RpcException {
    Optional<Target> t = target(reader, path);
    if (t.isPresent()) {
      run(t.get(), ufs -> {
        try {
          ufs.delete(t.get().ufsPath(), recursive);
        } catch (UfsException e) {
          if (e.kind() != UfsException.Kind.NOT_FOUND) {
            throw e;
          }
        }
      });
    }
  }

  /**
   * Renames within one mount's UFS; with {@code replace} an existing {@code dst} is deleted there first (the UFS
   * has no replacing rename, so this pair is not atomic in the UFS). A rename into, out of or across mounts is
   * INVALID_ARGUMENT: copy instead (EXDEV).
   */
  void rename(NamespaceReader reader, String src, String dst, boolean replace) throws RpcException {
    Optional<Target> from = target(reader, src);
    Optional<Target> to = target(reader, dst);
    if (from.isEmpty() && to.isEmpty()) {
      return;
    }
    if (from.isEmpty() || to.isEmpty() || from.get().mount().getMountId() != to.get().mount().getMountId()) {
      throw new RpcException(Status.INVALID_ARGUMENT, src + " -> " + dst
          + ": a rename into, out of or across mounts is not possible; copy instead");
    }
    run(from.get(), ufs -> {
      if (replace && ufs.getStatus(to.get().ufsPath()).isPresent()) {
        ufs.delete(to.get().ufsPath(), false);
      }
      ufs.rename(from.get().ufsPath(), to.get().ufsPath());
    });
  }

  /** A path under a mount: the mount and the path in its UFS. */
  private record Target(MountInfo mount, NamespacePath path, UfsPath ufsPath) {}

  private static Optional<Target> target(NamespaceReader reader, String path) throws RpcException {
    NamespacePath p = NamespacePath.parse(path);
    Optional<MountInfo> m = MountTable.covering(reader, p);
    if (m.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Target(m.get(), p, MetadataSync.ufsPath(m.get(), p)));
  }

  private interface UfsChange {
    void apply(UnderFileSystem ufs) throws IOException;
  }

  private void run(Target t, UfsChange change) throws RpcException {
    try {
      change.apply(connectors.get(t.mount()));
    } catch (RpcException e) {
      throw e;
    } catch (UfsException e) {
      // What the caller did wrong keeps its status (a directory the namespace thought empty is not, in the UFS);
      // the store failing is UFS_ERROR.
      Status s = switch (e.kind()) {
        case NOT_EMPTY, ALREADY_EXISTS, NOT_DIRECTORY, IS_DIRECTORY, PERMISSION_DENIED, NO_SPACE, INVALID_ARGUMENT ->
            e.kind().status();
        default -> Status.UFS_ERROR;
      };
      throw new RpcException(s, t.path() + ": UFS " + t.mount().getUfsUri() + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw UfsConnectors.error(t.path().toString(), URI.create(t.mount().getUfsUri()), e);
    }
  }
}
