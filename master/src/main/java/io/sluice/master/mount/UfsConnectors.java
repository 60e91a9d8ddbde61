package io.sluice.master.mount;

import io.sluice.common.proto.MountInfo;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.ufs.UfsException;
import io.sluice.ufs.UfsPath;
import io.sluice.ufs.UfsRegistry;
import io.sluice.ufs.UfsStatus;
import io.sluice.ufs.UnderFileSystem;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's open connection to each mounted UFS, made on first use from the mount's URI and options and kept
 * until the mount goes away. Followers never open one: only the leader talks to a UFS (DESIGN §3).
 */
public final class UfsConnectors implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(UfsConnectors.class);

  private final UfsRegistry registry;
  private final Map<Long, UnderFileSystem> open = new ConcurrentHashMap<>();

  public UfsConnectors(UfsRegistry registry) {
    this.registry = registry;
  }

  /** The connector of {@code mount}; UFS_ERROR (with the cause) when it cannot be made. */
  public UnderFileSystem get(MountInfo mount) throws RpcException {
    UnderFileSystem ufs = open.get(mount.getMountId());
    if (ufs != null) {
      return ufs;
    }
    synchronized (this) {
      ufs = open.get(mount.getMountId());
      if (ufs == null) {
        ufs = connect(URI.create(mount.getUfsUri()), mount.getOptionsMap(), mount.getPath());
        open.put(mount.getMountId(), ufs);
      }
      return ufs;
    }
  }

  /**
   * Connects to {@code uri} and checks its root is a directory, for a mount about to be made; the connection is
   * closed again. UFS_ERROR naming the cause when the store cannot be reached or the root is not a directory.
   */
  public void probe(URI uri, Map<String, String> options, String mountPath) throws RpcException {
    try (UnderFileSystem ufs = connect(uri, options, mountPath)) {
      Optional<UfsStatus> root = ufs.getStatus(UfsPath.ROOT);
      if (root.isEmpty() || !root.get().isDirectory()) {
        throw new RpcException(Status.UFS_ERROR, mountPath + ": " + uri + " is not a directory in the UFS");
      }
    } catch (RpcException e) {
      throw e;
    } catch (IOException e) {
      throw error(mountPath, uri, e);
    }
  }

  /** Closes the connectors of mounts not in {@code mountIds} (gone). */
  public synchronized void retainOnly(java.util.Set<Long> mountIds) {
    open.entrySet().removeIf(e -> {
      if (mountIds.contains(e.getKey())) {
        return false;
      }
      closeQuietly(e.getValue());
      return true;
    });
  }

  @Override
  public void close() {
    open.values().forEach(UfsConnectors::closeQuietly);
    open.clear();
  }

  private UnderFileSystem connect(URI uri, Map<String, String> options, String mountPath) throws RpcException {
    try {
      return registry.create(uri, options);
    } catch (IOException e) {
      throw error(mountPath, uri, e);
    }
  }

  /** A UFS failure as the status a client gets: the UFS's own kind for a bad argument, else UFS_ERROR. */
  static RpcException error(String path, URI uri, IOException e) {
    Status status = e instanceof UfsException u && u.kind() == UfsException.Kind.INVALID_ARGUMENT
        ? Status.INVALID_ARGUMENT : Status.UFS_ERROR;
    return new RpcException(status, path + ": UFS " + uri + ": " + e.getMessage());
  }

  private static void closeQuietly(UnderFileSystem ufs) {
    try {
      ufs.close();
    } catch (IOException | RuntimeException e) {
      LOG.warn("closing the UFS connector for {}: {}", ufs.root(), e.toString());
    }
  }
}
