package io.sluice.client;

import com.google.protobuf.ByteString;
import io.sluice.client.block.ReadOptions;
import io.sluice.client.block.UfsConnectors;
import io.sluice.client.block.UfsFallThrough;
import io.sluice.client.block.WorkerClientPool;
import io.sluice.client.block.WriteChunkPool;
import io.sluice.client.master.DirectoryListing;
import io.sluice.client.master.MasterClient;
import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.proto.BlockInfo;
import io.sluice.common.proto.CreateFileRequest;
import io.sluice.common.proto.CreateFileResponse;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FreeResponse;
import io.sluice.common.proto.JobStatus;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.GetBlockLocationsResponse;
import io.sluice.common.proto.GetClusterInfoResponse;
import io.sluice.common.proto.MountRequest;
import io.sluice.common.proto.SetAttributesRequest;
import io.sluice.common.proto.SetXattrRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.TtlAction;
import io.sluice.common.rpc.FailoverRpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcOptions;
import java.io.Closeable;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The Sluice file system as a library: namespace operations go to the leading master, file data goes directly to
 * and from workers. The one client core that the FUSE, Hadoop and CLI front ends translate to (DESIGN §1).
 *
 * <p>Every path is absolute ({@code /a/b}); anything else fails with INVALID_ARGUMENT. Every failure is an
 * {@link RpcException} (an {@code IOException}) carrying the {@link Status} and naming the path, for the front
 * ends to map to errno, Hadoop exceptions or CLI messages.
 *
 * <p>Thread-safe: one client per process is the intent. Worker connections are pooled per worker and shared by
 * every stream. Close the streams before the client; closing the client fails streams still open.
 */
public final class SluiceClient implements Closeable {

  private final StreamContext ctx;
  private final UfsConnectors ufsConnectors;

  private SluiceClient(StreamContext ctx, UfsConnectors ufsConnectors) {
    this.ctx = ctx;
    this.ufsConnectors = ufsConnectors;
  }

  /**
   * A client for the cluster whose masters {@code conf} lists ({@link CommonKeys#MASTER_ADDRESSES}). Connections
   * are made on first use.
   *
   * @throws IllegalArgumentException when a {@link ClientKeys} value or the master list is invalid, naming it
   */
  public static SluiceClient connect(SluiceConf conf) {
    // A client id of its own: the master tells its reads from those of other clients in this process (a FUSE mount
    // is not held by its own close announcements, see FileClosingRequest).
    RpcOptions rpc = RpcOptions.from(conf).withClientId(UUID.randomUUID().toString());
    ClientSettings settings = ClientSettings.from(conf, rpc);
    FailoverRpcClient masterRpc = new FailoverRpcClient(
        FailoverRpcClient.parseAddresses(conf.get(CommonKeys.MASTER_ADDRESSES)), rpc, settings.masterRetryBudget());
    ReadOptions read = new ReadOptions(settings.readChunkSize(), settings.readWindow(), rpc.callTimeout(),
        settings.shortCircuit(), !conf.get(ClientKeys.SHORT_CIRCUIT_SKIP_CHECKSUM));
    MasterClient master = new MasterClient(masterRpc);
    UfsConnectors connectors = new UfsConnectors(master);
    return new SluiceClient(new StreamContext(master,
        new WorkerClientPool(rpc, conf.get(ClientKeys.WORKER_AVOID_TIME)), settings, read, localHostName(),
        new UfsFallThrough(connectors), connectors,
        new WriteChunkPool(settings.writeChunkSize(), settings.writePoolSize())), connectors);
  }

  /** The resident buffers this client's writes gather their chunks in; package-private, for tests of their reuse. */
  WriteChunkPool writeChunks() {
    return ctx.writeChunks();
  }

  /**
   * This host's name for placement and read-through; the master only prefers a worker on it, so a lookup failure
   * is not fatal.
   */
  private static String localHostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "";
    }
  }

  /**
   * Creates a directory (mode 0755).
   *
   * @param recursive create missing parents too; an existing directory is then not an error
   * @return the directory
   */
  public FileInfo mkdir(String path, boolean recursive) throws RpcException {
    return ctx.master().mkdir(AbsolutePath.require(path), recursive, 0);
  }

  /**
   * Creates a directory with permission bits {@code mode} (07777; the caller applies its umask; 0 means 0755).
   *
   * @param recursive create missing parents too (with the same mode); an existing directory is then no error
   */
  public FileInfo mkdir(String path, boolean recursive, int mode) throws RpcException {
    return ctx.master().mkdir(AbsolutePath.require(path), recursive, mode);
  }

  /** Creates a file with the default options and returns a stream writing it. */
  public SluiceOutputStream create(String path) throws RpcException {
    return create(path, CreateOptions.defaults());
  }

  /**
   * Creates a file and returns a stream writing it. The file exists (incomplete, length 0) until the stream
   * closes; it has its content only once {@link SluiceOutputStream#close()} succeeds.
   *
   * @throws RpcException ALREADY_EXISTS (no overwrite), IS_DIRECTORY, NOT_FOUND (missing parent, not recursive)
   */
  public SluiceOutputStream create(String path, CreateOptions options) throws RpcException {
    long blockSize = options.blockSize() > 0 ? options.blockSize() : ctx.settings().blockSize();
    int replicas = options.replicas() > 0 ? options.replicas() : ctx.settings().replicas();
    CreateFileRequest req = CreateFileRequest.newBuilder().setPath(AbsolutePath.require(path))
        .setMode(options.mode()).setBlockSize(blockSize).setReplicas(replicas)
        .setOverwrite(options.overwrite()).setRecursive(options.recursive())
        .setPlaceFirstBlock(!ctx.settings().firstBlockMaxAge().isZero()).setClientHost(ctx.clientHost()).build();
    CreateFileResponse created = ctx.master().createFile(req);
    FileInfo info = created.getInfo();
    // The master has the last word on the block size; 0 would mean it did not say.
    long effective = info.getBlockSize() > 0 ? info.getBlockSize() : blockSize;
    // A UFS that refuses the file leaves it incomplete here, as any failed write does; deleting it would delete
    // through to the UFS, where an older file may still be.
    UfsWriteThrough ufs = info.getMountId() == 0 ? null
        : UfsWriteThrough.open(ctx.ufs(), info.getMountId(), req.getPath());
    BlockInfo first = created.getFirstBlock().getLocationsCount() > 0 ? created.getFirstBlock() : null;
    return new SluiceOutputStream(ctx, path, info, effective, ufs, first);
  }

  /**
   * Opens a file for reading.
   *
   * @throws RpcException NOT_FOUND, IS_DIRECTORY
   */
  public SluiceInputStream open(String path) throws RpcException {
    GetBlockLocationsResponse r = fileLocations(path);
    return new SluiceInputStream(ctx, path, r.getInfo(), r.getBlocksList());
  }

  /**
   * Starts changing a complete file: random writes, truncate, append, made visible together by
   * {@link FileEditor#commit()} or {@link FileEditor#close()}. Write permission is checked when they are committed.
   *
   * @throws RpcException NOT_FOUND, IS_DIRECTORY, INVALID_ARGUMENT (a symbolic link, a file still being written or
   *     one under a mount, which can only be replaced whole)
   */
  public FileEditor edit(String path) throws RpcException {
    GetBlockLocationsResponse r = fileLocations(path);
    return FileEditor.open(ctx, path, r.getInfo(), r.getBlocksList());
  }

  /** {@link #locations} of a file: a directory or a symbolic link is an error. */
  private GetBlockLocationsResponse fileLocations(String path) throws RpcException {
    GetBlockLocationsResponse r = locations(AbsolutePath.require(path));
    if (r.getInfo().getType() == FileType.DIRECTORY) {
      throw new RpcException(Status.IS_DIRECTORY, path + ": is a directory");
    }
    if (r.getInfo().getType() == FileType.SYMLINK) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": is a symbolic link to "
          + r.getInfo().getSymlinkTarget() + " (resolve it first)");
    }
    return r;
  }

  /**
   * The file's blocks with their locations. While the master says locations are still pending (it just took over
   * and workers are re-registering), asks again with backoff within the master retry budget, so a read right after
   * a failover finds its blocks instead of failing.
   */
  private GetBlockLocationsResponse locations(String path) throws RpcException {
    long deadline = System.nanoTime() + ctx.settings().masterRetryBudget().toNanos();
    long backoffMs = 50;
    GetBlockLocationsResponse r = ctx.master().getBlockLocations(path, ctx.clientHost());
    while (r.getLocationsPending() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(backoffMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RpcException(Status.UNAVAILABLE, path + ": interrupted waiting for block locations", e);
      }
      backoffMs = Math.min(backoffMs * 2, 1000);
      r = ctx.master().getBlockLocations(path, ctx.clientHost());
    }
    return r;
  }

  /**
   * The blocks of a file in order, each with the live workers holding it (for locality-aware schedulers); a block
   * with no location is held by no live worker. Needs read permission, like opening.
   *
   * @throws RpcException NOT_FOUND, PERMISSION_DENIED
   */
  public List<BlockInfo> getBlockLocations(String path) throws RpcException {
    return locations(AbsolutePath.require(path)).getBlocksList();
  }

  /** @throws RpcException NOT_FOUND when nothing is at {@code path} */
  public FileInfo getStatus(String path) throws RpcException {
    return ctx.master().getStatus(AbsolutePath.require(path));
  }

  /**
   * The entries of a directory in name order, fetched lazily a page at a time ({@link ClientKeys#LIST_PAGE_SIZE}).
   * The first page is fetched now, so errors about the path itself are thrown here; see {@link DirectoryListing}
   * for errors of later pages.
   *
   * @throws RpcException NOT_FOUND, NOT_DIRECTORY
   */
  public DirectoryListing listStatus(String path) throws RpcException {
    return new DirectoryListing(ctx.master(), AbsolutePath.require(path), ctx.settings().listPageSize());
  }

  /**
   * The entries named after {@code startAfter} (UTF-8 byte order), paged as {@link #listStatus(String)}: resumes a
   * listing (e.g. a FUSE readdir at an offset) without reading what came before.
   */
  public DirectoryListing listStatus(String path, String startAfter) throws RpcException {
    return new DirectoryListing(ctx.master(), AbsolutePath.require(path), startAfter, ctx.settings().listPageSize());
  }

  /** Every entry of a directory, in name order. */
  public List<FileInfo> listStatusAll(String path) throws RpcException {
    return listStatus(path).toList();
  }

  /**
   * Deletes a file or directory.
   *
   * @param recursive required to delete a non-empty directory (else NOT_EMPTY)
   */
  public void delete(String path, boolean recursive) throws RpcException {
    ctx.master().delete(AbsolutePath.require(path), recursive);
  }

  /** Renames a file or directory atomically; {@code dst} must not exist (ALREADY_EXISTS). */
  public void rename(String src, String dst) throws RpcException {
    ctx.master().rename(AbsolutePath.require(src), AbsolutePath.require(dst), false);
  }

  /**
   * Renames atomically as POSIX {@code rename(2)}: an existing {@code dst} is replaced in the same step, a file by a
   * file, a directory by a directory when empty.
   *
   * @throws RpcException IS_DIRECTORY, NOT_DIRECTORY, NOT_EMPTY when {@code dst} cannot be replaced by {@code src}
   */
  public void renameReplacing(String src, String dst) throws RpcException {
    ctx.master().rename(AbsolutePath.require(src), AbsolutePath.require(dst), true);
  }

  /**
   * Changes the permission bits ({@code chmod}); the owner's or the superuser's right.
   *
   * @throws RpcException NOT_FOUND, PERMISSION_DENIED, INVALID_ARGUMENT (bits beyond 07777)
   */
  public FileInfo setMode(String path, int mode) throws RpcException {
    return setAttributes(SetAttributesRequest.newBuilder().setPath(path).setMode(mode).build());
  }

  /**
   * Changes the owner and/or group ({@code chown}); null leaves one as it is. The owner is the superuser's to
   * change; the group the owner's, to a group the owner is in.
   *
   * @throws RpcException NOT_FOUND, PERMISSION_DENIED
   */
  public FileInfo setOwner(String path, String owner, String group) throws RpcException {
    SetAttributesRequest.Builder b = SetAttributesRequest.newBuilder().setPath(path);
    if (owner != null) {
      b.setOwner(owner);
    }
    if (group != null) {
      b.setGroup(group);
    }
    return setAttributes(b.build());
  }

  /**
   * Sets the modification and access times in epoch milliseconds ({@code utimes}); a negative value leaves one as
   * it is. The owner's or the superuser's right; see {@link #touch} for setting them to now.
   */
  public FileInfo setTimes(String path, long mtimeMs, long atimeMs) throws RpcException {
    SetAttributesRequest.Builder b = SetAttributesRequest.newBuilder().setPath(path);
    if (mtimeMs >= 0) {
      b.setMtimeMs(mtimeMs);
    }
    if (atimeMs >= 0) {
      b.setAtimeMs(atimeMs);
    }
    return setAttributes(b.build());
  }

  /** Sets both times to the master's now ({@code utimes(path, NULL)}): also allowed with write permission. */
  public FileInfo touch(String path) throws RpcException {
    return setAttributes(SetAttributesRequest.newBuilder().setPath(path).setTimesNow(true).build());
  }

  /** Any subset of mode, owner, group and times in one journaled change. */
  public FileInfo setAttributes(SetAttributesRequest req) throws RpcException {
    return ctx.master().setAttributes(req.toBuilder().setPath(AbsolutePath.require(req.getPath())).build());
  }

  /**
   * Creates a symbolic link at {@code path} pointing at {@code target}. The cluster never follows links: a path
   * through one fails with NOT_DIRECTORY, and {@link #open} of one with INVALID_ARGUMENT; callers resolve them.
   *
   * @throws RpcException ALREADY_EXISTS, NOT_FOUND (parent), PERMISSION_DENIED, INVALID_ARGUMENT (bad target)
   */
  public FileInfo createSymlink(String path, String target) throws RpcException {
    return ctx.master().createSymlink(AbsolutePath.require(path), target);
  }

  /**
   * Creates a hard link (POSIX link(2)): {@code path} becomes another name of the file at {@code target}, the same
   * inode (same id, data and attributes; its nlink counts the names). A change made through either name is seen
   * through both; removing a name (delete, a rename or an overwriting create onto it) leaves the others, and the
   * data goes with the last. {@code target} may be a symbolic link, which is linked itself (not followed). Both
   * paths must lie outside mounts: an under file system has no hard links.
   *
   * @return the file as {@code path} now names it
   * @throws RpcException ALREADY_EXISTS ({@code path}), NOT_FOUND ({@code target}, or the parent of {@code path}),
   *     IS_DIRECTORY ({@code target}), PERMISSION_DENIED, INVALID_ARGUMENT (under a mount, a file still being
   *     written, too many links)
   */
  public FileInfo link(String path, String target) throws RpcException {
    return ctx.master().link(AbsolutePath.require(path), AbsolutePath.require(target));
  }

  /**
   * Sets an extended attribute ({@code user.*} with write permission; other namespaces as superuser).
   *
   * @param mode ANY, or CREATE / REPLACE to fail when present (ALREADY_EXISTS) / absent (NOT_FOUND)
   */
  public void setXattr(String path, String name, byte[] value, SetXattrRequest.Mode mode) throws RpcException {
    ctx.master().setXattr(SetXattrRequest.newBuilder().setPath(AbsolutePath.require(path)).setName(name)
        .setValue(ByteString.copyFrom(value)).setMode(mode).build());
  }

  /** @throws RpcException NOT_FOUND when the attribute (or the path) does not exist */
  public void removeXattr(String path, String name) throws RpcException {
    ctx.master().removeXattr(AbsolutePath.require(path), name);
  }

  /** Every extended attribute of {@code path}, by name. */
  public Map<String, byte[]> getXattrs(String path) throws RpcException {
    Map<String, byte[]> out = new TreeMap<>();
    ctx.master().getXattrs(AbsolutePath.require(path)).forEach((k, v) -> out.put(k, v.toByteArray()));
    return out;
  }

  /**
   * Mounts the UFS at {@code ufsUri} at {@code path} (DESIGN §4). The path must not exist and its parent must be a
   * directory; mounts do not nest and none goes at {@code /}. The master checks that it can reach the UFS first.
   *
   * @throws RpcException ALREADY_EXISTS, NOT_FOUND (parent), INVALID_ARGUMENT (nested, root, bad URI or option),
   *     UFS_ERROR with the cause when the UFS cannot be reached, PERMISSION_DENIED
   */
  public Mount mount(String path, URI ufsUri, MountOptions options) throws RpcException {
    MountRequest.Builder req = MountRequest.newBuilder().setPath(AbsolutePath.require(path))
        .setUfsUri(ufsUri.toString()).putAllOptions(options.options()).setReadOnly(options.readOnly())
        .setReplicas(options.replicas());
    options.syncIntervalMs().ifPresent(req::setSyncIntervalMs);
    return Mount.of(ctx.master().mount(req.build()));
  }

  /**
   * Removes the mount at {@code path} and everything Sluice holds under it (metadata, cached blocks); the UFS is
   * left as it is.
   *
   * @throws RpcException NOT_FOUND when no mount is at {@code path}, PERMISSION_DENIED
   */
  public void unmount(String path) throws RpcException {
    ctx.master().unmount(AbsolutePath.require(path));
  }

  /**
   * Drops the cached blocks of the UFS-backed files at or under {@code path} (metadata stays; the next read reads
   * through again). Files whose data is only in Sluice are skipped and counted.
   *
   * @throws RpcException NOT_FOUND, PERMISSION_DENIED (write permission on each file freed), INVALID_ARGUMENT when
   *     a file at or under it is pinned ({@link #setPinned}; nothing is freed then)
   */
  public FreeResponse free(String path) throws RpcException {
    return free(path, false);
  }

  /** As {@link #free(String)}; with {@code force} pinned files are freed too (they stay pinned). */
  public FreeResponse free(String path, boolean force) throws RpcException {
    return ctx.master().free(AbsolutePath.require(path), force);
  }

  /**
   * Pins ({@code pinned = true}) or unpins {@code path}, as Alluxio's setPinned: the blocks of a pinned file are
   * never evicted from the workers holding them, and a worker full of such blocks refuses new ones (NO_SPACE)
   * rather than evict one. A file is pinned when it or a directory above it is: pinning a directory pins every file
   * under it, also those created or loaded later; a file moved out of it is no longer pinned (unless pinned itself).
   * Sluice-native files (not under a mount) are always kept so, pinned or not: their blocks are the only copy of
   * their data. Journaled ({@link FileInfo#getPinned} shows the path's own flag).
   *
   * @return the path's status with its new flag
   * @throws RpcException NOT_FOUND, PERMISSION_DENIED (write permission on the path)
   */
  public FileInfo setPinned(String path, boolean pinned) throws RpcException {
    return ctx.master().setPinned(AbsolutePath.require(path), pinned);
  }

  /**
   * Gives {@code path} a time to live (DESIGN §5, as Alluxio's setTtl): once {@code ttlMs} have passed since it was
   * created ({@link FileInfo#getCreatedMs}; a path under a mount counts from when Sluice loaded it), the
   * leading master applies {@code action} to it within its check interval
   * ({@code sluice.master.ttl.check.interval}): {@link TtlAction#TTL_FREE} drops the cached blocks of the UFS-backed
   * files at or under it, then clears the TTL; {@link TtlAction#TTL_DELETE} deletes it and everything under it,
   * from Sluice and, under a mount, from the UFS. A directory's TTL acts on the directory. {@code ttlMs = 0} clears
   * the TTL (the action is then ignored). Survives a master failover (the TTL is journaled).
   *
   * @return the path's status with its new TTL
   * @throws RpcException NOT_FOUND, PERMISSION_DENIED (write permission on the path), INVALID_ARGUMENT (a negative
   *     TTL, or a TTL without an action)
   */
  public FileInfo setTtl(String path, long ttlMs, TtlAction action) throws RpcException {
    return ctx.master().setTtl(AbsolutePath.require(path), ttlMs, action);
  }

  /**
   * Starts loading the UFS-backed files at or under {@code path} into the cache (a job on the master; see
   * {@link #job}). Returns the job id.
   *
   * @throws RpcException NOT_FOUND, PERMISSION_DENIED
   */
  public long load(String path) throws RpcException {
    return ctx.master().load(AbsolutePath.require(path));
  }

  /** The progress of job {@code id}; NOT_FOUND when the master does not know it. */
  public JobStatus job(long id) throws RpcException {
    return ctx.master().job(id);
  }

  /** Every mount, in the master's order. */
  public List<Mount> mounts() throws RpcException {
    return ctx.master().getMounts().stream().map(Mount::of).toList();
  }

  /** Capacity and use of the whole cluster, for {@code statfs}/{@code df}. */
  public ClusterUsage usage() throws RpcException {
    return ClusterUsage.of(ctx.master().clusterInfo());
  }

  /** The leader, the workers and their capacity. */
  public GetClusterInfoResponse clusterInfo() throws RpcException {
    return ctx.master().clusterInfo();
  }

  /** Closes the master and worker connections and the UFS connectors made for fall-through reads. */
  @Override
  public void close() {
    try {
      ufsConnectors.close();
      ctx.workers().close();
    } finally {
      ctx.writeChunks().close();
      ctx.master().close();
    }
  }
}
