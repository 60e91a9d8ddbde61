package io.sluice.client.block;

import io.sluice.client.master.MasterClient;
import io.sluice.common.proto.MountInfo;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.ufs.UfsException;
import io.sluice.ufs.UfsRegistry;
import io.sluice.ufs.UnderFileSystem;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's own connectors to mounted UFSes, by mount id, for fall-through reads. The mount table comes from
 * the master (GET_MOUNTS) on first need and again whenever a block names a mount id this table does not know (a
 * mount made since). Connectors are made on first use and kept until {@link #close()}: an S3 or HDFS client is
 * costly to build and safe to share. A mount id is never reused, so a cached connector never points at a
 * different UFS than its id says.
 *
 * <p>Thread-safe. Everything happens under one lock: fall-through is the degraded path, rare enough that
 * serializing connector setup costs nothing that matters.
 */
public final class UfsConnectors implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(UfsConnectors.class);

  private final MasterClient master;
  private final Map<Long, MountInfo> mounts = new HashMap<>();
  private final Map<Long, UnderFileSystem> connectors = new HashMap<>();
  private UfsRegistry registry;
  private boolean closed;

  /** Does not own {@code master}. */
  public UfsConnectors(MasterClient master) {
    this.master = master;
  }

  /**
   * The connector for mount {@code mountId}, connecting on first use.
   *
   * @throws RpcException NOT_FOUND when the master has no such mount (unmounted since the block was listed),
   *     the connector's status when it cannot connect, UNAVAILABLE once closed
   */
  public synchronized UnderFileSystem get(long mountId) throws RpcException {
    if (closed) {
      throw new RpcException(Status.UNAVAILABLE, "client closed; no UFS connector for mount " + mountId);
    }
    UnderFileSystem ufs = connectors.get(mountId);
    if (ufs != null) {
      return ufs;
    }
    ufs = connect(mount(mountId));
    connectors.put(mountId, ufs);
    return ufs;
  }

  /**
   * The mount {@code mountId} as the master last listed it (listed again when unknown).
   *
   * @throws RpcException NOT_FOUND when the master has no such mount
   */
  public synchronized MountInfo mount(long mountId) throws RpcException {
    MountInfo mount = mounts.get(mountId);
    if (mount == null) {
      refreshMounts();
      mount = mounts.get(mountId);
      if (mount == null) {
        throw new RpcException(Status.NOT_FOUND, "mount " + mountId + " is not in the master's mount table"
            + " (unmounted?)");
      }
    }
    return mount;
  }

  private void refreshMounts() throws RpcException {
    mounts.clear();
    for (MountInfo m : master.getMounts()) {
      mounts.put(m.getMountId(), m);
    }
  }

  private UnderFileSystem connect(MountInfo mount) throws RpcException {
    String what = "mount " + mount.getPath() + " (" + mount.getUfsUri() + ")";
    try {
      if (registry == null) {
        registry = UfsRegistry.load();
      }
      return registry.create(URI.create(mount.getUfsUri()), mount.getOptionsMap());
    } catch (UfsException e) {
      throw new RpcException(e.kind().status(), what + ": " + e.getMessage(), e);
    } catch (IOException | IllegalArgumentException e) {
      throw new RpcException(Status.UFS_ERROR, what + ": " + e.getMessage(), e);
    }
  }

  /** Closes every connector; later {@link #get} calls fail. Idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    for (Map.Entry<Long, UnderFileSystem> e : connectors.entrySet()) {
      try {
        e.getValue().close();
      } catch (IOException | RuntimeException ex) {
        // Closing the client must not fail on a connector's shutdown; the data is not affected.
        LOG.warn("closing the UFS connector of mount {}: {}", e.getKey(), ex.toString());
      }
    }
    connectors.clear();
  }
}
