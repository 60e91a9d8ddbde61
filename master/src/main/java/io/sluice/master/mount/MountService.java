package io.sluice.master.mount;

import io.sluice.common.proto.GetMountsResponse;
import io.sluice.common.proto.MountRequest;
import io.sluice.common.proto.UnmountRequest;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.journal.Journal;
import io.sluice.master.namespace.Caller;
import io.sluice.master.namespace.LeaderContext;
import io.sluice.master.namespace.MountOp;
import io.sluice.master.namespace.NamespacePath;
import io.sluice.master.namespace.Prepared;
import io.sluice.master.namespace.UnmountOp;
import io.sluice.master.proto.MountRecord;
import io.sluice.ufs.UfsRegistry;
import java.io.Closeable;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The leader's side of mounts (DESIGN §4): deciding MOUNT (after checking the UFS answers) and UNMOUNT, the mount
 * table for GET_MOUNTS, and keeping metadata under mounts in sync with the UFS ({@link MetadataSync}).
 */
public final class MountService implements Closeable {
  private final LeaderContext ctx;
  private final UfsConnectors connectors;
  private final MetadataSync sync;
  private final WriteThrough writeThrough;
  private final long defaultSyncIntervalMs;

  /**
   * @param defaultSyncInterval the sync interval of a mount that asks for none
   * @param removedBlocks takes blocks of files a sync replaced or dropped, for the workers to remove
   */
  public MountService(LeaderContext ctx, Journal journal, UfsRegistry registry, Duration defaultSyncInterval,
      Consumer<List<Long>> removedBlocks) {
    this.ctx = ctx;
    this.connectors = new UfsConnectors(registry);
    this.sync = new MetadataSync(ctx, journal, connectors, removedBlocks);
    this.writeThrough = new WriteThrough(connectors);
    this.defaultSyncIntervalMs = defaultSyncInterval.toMillis();
  }

  /** Decides a MOUNT: the UFS must answer and its root be a directory before anything is journaled. */
  public Prepared prepareMount(MountRequest req, Caller caller) throws RpcException {
    Prepared p = MountOp.prepare(req, caller, ctx, defaultSyncIntervalMs);
    // The URI as the mount will record it (normalized by MountOp), so the probe checks what gets mounted.
    connectors.probe(URI.create(p.entry().getMount().getInfo().getUfsUri()), req.getOptionsMap(), req.getPath());
    return p;
  }

  public Prepared prepareUnmount(UnmountRequest req, Caller caller) throws RpcException {
    return UnmountOp.prepare(req, caller, ctx);
  }

  /** After an UNMOUNT applied: closes the connectors of mounts no longer in the table. */
  public void closeUnmounted() {
    java.util.Set<Long> live = new java.util.HashSet<>();
    for (MountRecord m : ctx.store().reader().mounts()) {
      live.add(m.getInfo().getMountId());
    }
    connectors.retainOnly(live);
  }

  /** The mount table. */
  public GetMountsResponse mounts() {
    GetMountsResponse.Builder out = GetMountsResponse.newBuilder();
    for (MountRecord m : ctx.store().reader().mounts()) {
      out.addMounts(m.getInfo());
    }
    return out.build();
  }

  /** See {@link MetadataSync#sync(String, boolean, boolean)}. */
  public void sync(String path, boolean listing) throws RpcException {
    sync.sync(path, listing, false);
  }

  /** See {@link MetadataSync#sync(String, boolean, boolean)}. */
  public void sync(String path, boolean listing, boolean refresh) throws RpcException {
    sync.sync(path, listing, refresh);
  }

  /** Whether {@code path} (a valid absolute path) is at or under a mount point: a read of it may reach the UFS. */
  public boolean covers(String path) throws RpcException {
    return MountTable.covering(ctx.store().reader(), NamespacePath.parse(path)).isPresent();
  }

  /** Writes a decided mkdir through to the UFS when {@code path} is under a mount (see {@link WriteThrough}). */
  public void mkdirInUfs(String path) throws RpcException {
    writeThrough.mkdir(ctx.store().reader(), path);
  }

  /** Writes a decided delete through to the UFS when {@code path} is under a mount. */
  public void deleteInUfs(String path, boolean recursive) throws RpcException {
    writeThrough.delete(ctx.store().reader(), path, recursive);
  }

  /** Writes a decided rename through to the UFS when either path is under a mount. */
  public void renameInUfs(String src, String dst, boolean replace) throws RpcException {
    writeThrough.rename(ctx.store().reader(), src, dst, replace);
  }

  @Override
  public void close() {
    connectors.close();
  }
}
