package io.sluice.worker.ufs;

import io.sluice.common.proto.MountInfo;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.ufs.UfsRegistry;
import io.sluice.ufs.UnderFileSystem;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's view of the mount table: mount id -> an open {@link UnderFileSystem}. The table is fetched from a
 * {@link MountTableSource} when a caller names a mount id it does not know (a new mount, or the first read after
 * start); at most one fetch is in flight and concurrent callers wait for it. A connector is opened on first use
 * through the {@link UfsRegistry}, and closed when a fetch no longer lists its mount (or lists it with another
 * URI or options). Thread-safe; every method may block, so callers run on the UFS threads, never an event loop.
 *
 * <p>Why lazily: a worker reads only the mounts its clients touch, and a connector that cannot be created (bad
 * credentials, root gone) should fail the reads of that mount with its reason, each time, rather than the fetch.
 */
public final class UfsMounts implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(UfsMounts.class);

  private final MountTableSource source;
  private final UfsRegistry registry;
  private final Object lock = new Object();
  private Map<Long, MountInfo> table = Map.of();
  private final Map<Long, UnderFileSystem> connectors = new HashMap<>();
  private CompletableFuture<Void> fetching;
  private boolean closed;

  public UfsMounts(MountTableSource source, UfsRegistry registry) {
    this.source = source;
    this.registry = registry;
  }

  /**
   * The connector of mount {@code mountId}, fetching the table first if the id is unknown.
   *
   * @throws RpcException STALE when the mount is not in a freshly fetched table ("mount N is gone"), UFS_ERROR
   *     when its connector cannot be created, or whatever the fetch failed with
   */
  public UnderFileSystem get(long mountId) throws RpcException {
    MountInfo mount = lookup(mountId);
    UnderFileSystem ufs;
    synchronized (lock) {
      ufs = connectors.get(mountId);
    }
    if (ufs != null) {
      return ufs;
    }
    // Created outside the lock: connecting to a store may take a while and must not hold up other mounts.
    UnderFileSystem created = create(mount);
    synchronized (lock) {
      UnderFileSystem raced = connectors.get(mountId);
      if (!closed && raced == null && table.get(mountId) == mount) {
        connectors.put(mountId, created);
        return created;
      }
      ufs = raced;
    }
    closeQuietly(created); // someone else opened it first, the mount changed meanwhile, or we are closing
    if (ufs == null) {
      throw new RpcException(Status.STALE, "mount " + mountId + " changed while opening it");
    }
    return ufs;
  }

  private MountInfo lookup(long mountId) throws RpcException {
    CompletableFuture<Void> wait;
    boolean mine = false;
    synchronized (lock) {
      MountInfo m = table.get(mountId);
      if (m != null) {
        return m;
      }
      if (closed) {
        throw new RpcException(Status.UNAVAILABLE, "the worker is shutting down");
      }
      if (fetching == null) {
        fetching = new CompletableFuture<>();
        mine = true;
      }
      wait = fetching;
    }
    if (mine) {
      fetch(wait);
    }
    try {
      wait.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RpcException r) {
        throw new RpcException(r.status(), "cannot fetch the mount table: " + r.getMessage(), r);
      }
      throw new RpcException(Status.INTERNAL, "cannot fetch the mount table: " + e.getCause(), e.getCause());
    }
    synchronized (lock) {
      MountInfo m = table.get(mountId);
      if (m == null) {
        throw new RpcException(Status.STALE, "mount " + mountId + " is gone");
      }
      return m;
    }
  }

  private void fetch(CompletableFuture<Void> done) {
    List<UnderFileSystem> dropped = new ArrayList<>();
    try {
      List<MountInfo> mounts = source.fetch();
      synchronized (lock) {
        Map<Long, MountInfo> next = new HashMap<>();
        mounts.forEach(m -> next.put(m.getMountId(), m));
        for (Map.Entry<Long, MountInfo> e : table.entrySet()) {
          MountInfo now = next.get(e.getKey());
          if (now == null || !sameStore(now, e.getValue())) {
            UnderFileSystem c = connectors.remove(e.getKey());
            if (c != null) {
              dropped.add(c);
            }
          } else {
            next.put(e.getKey(), e.getValue()); // keep the instance the open connector was made from
          }
        }
        if (!closed) {
          table = Map.copyOf(next);
        }
        fetching = null;
      }
      done.complete(null);
    } catch (RpcException | RuntimeException e) {
      synchronized (lock) {
        fetching = null;
      }
      done.completeExceptionally(e);
    }
    // A load still using a dropped connector fails with the connector's error: its mount is gone.
    dropped.forEach(UfsMounts::closeQuietly);
  }

  private static boolean sameStore(MountInfo a, MountInfo b) {
    return a.getUfsUri().equals(b.getUfsUri()) && a.getOptionsMap().equals(b.getOptionsMap());
  }

  private UnderFileSystem create(MountInfo mount) throws RpcException {
    try {
      return registry.create(new URI(mount.getUfsUri()), mount.getOptionsMap());
    } catch (URISyntaxException | IOException | RuntimeException e) {
      throw new RpcException(Status.UFS_ERROR, "cannot open mount " + mount.getMountId() + " (" + mount.getUfsUri()
          + "): " + e.getMessage(), e);
    }
  }

  /** Closes every open connector; later calls fail with UNAVAILABLE. */
  @Override
  public void close() {
    List<UnderFileSystem> open;
    synchronized (lock) {
      closed = true;
      table = Map.of();
      open = new ArrayList<>(connectors.values());
      connectors.clear();
    }
    open.forEach(UfsMounts::closeQuietly);
  }

  private static void closeQuietly(UnderFileSystem ufs) {
    try {
      ufs.close();
    } catch (IOException | RuntimeException e) {
      LOG.warn("closing UFS connector {}: {}", ufs.root(), e.toString());
    }
  }
}
