package io.sluice.master.namespace;

import io.sluice.common.proto.FileType;
import io.sluice.common.proto.MountInfo;
import io.sluice.common.proto.MountRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.proto.MountEntry;
import io.sluice.master.proto.MountRecord;
import io.sluice.master.store.NamespaceReader;
import io.sluice.master.store.StoreBatch;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * Mounts a UFS (DESIGN §4): creates the mount point directory, whose inode id is the mount id, and records the
 * mount. The path must not exist, its parent must be a Sluice-native directory (mounts do not nest) and no other
 * mount may cover the same UFS location (one inside the other would cache the same bytes under two names, each
 * stale to the other's writes). Only the superuser mounts. That the UFS is reachable is the caller's check, before
 * {@link #prepare}. Errors: ALREADY_EXISTS, NOT_FOUND, NOT_DIRECTORY, PERMISSION_DENIED, INVALID_ARGUMENT.
 */
public final class MountOp {
  private MountOp() {}

  /**
   * On the leader: validates and picks the mount id.
   *
   * @param defaultSyncIntervalMs the sync interval of a mount that asks for none
   */
  public static Prepared prepare(MountRequest req, Caller caller, LeaderContext ctx, long defaultSyncIntervalMs)
      throws RpcException {
    NamespacePath path = NamespacePath.parse(req.getPath());
    URI uri = parseUri(req.getUfsUri());
    if (req.getSyncIntervalMs() < -1) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": sync interval must be >= 0 ms, or -1 for never");
    }
    if (req.getReplicas() < 0 || req.getReplicas() > CreateFileOp.MAX_REPLICAS) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": replicas " + req.getReplicas() + " out of range");
    }
    MountInfo info = MountInfo.newBuilder().setPath(path.toString()).setUfsUri(uri.toString())
        .putAllOptions(req.getOptionsMap()).setReadOnly(req.getReadOnly())
        .setSyncIntervalMs(req.hasSyncIntervalMs() ? req.getSyncIntervalMs() : defaultSyncIntervalMs)
        .setReplicas(req.getReplicas() == 0 ? 1 : req.getReplicas()).build();
    check(ctx.store().reader(), path, info, caller);
    info = info.toBuilder().setMountId(ctx.ids().allocate(1)).build();
    MountEntry e = MountEntry.newBuilder().setInfo(info).setOwner(caller.user()).setTimeMs(ctx.clock().millis())
        .build();
    return Prepared.propose(JournalEntry.newBuilder().setMount(e).setCaller(caller.toProto()).build());
  }

  public static ApplyResult apply(MountEntry e, Caller caller, StoreBatch b) throws RpcException {
    NamespacePath path = NamespacePath.parse(e.getInfo().getPath());
    InodeRecord parent = check(b, path, e.getInfo(), caller);
    long id = TreeEdits.freshId(b, e.getInfo().getMountId(), path);
    InodeRecord dir = Inodes.directory(id, parent.getId(), path.name(), Inodes.DEFAULT_DIR_MODE, e.getOwner(),
        parent.getGroup(), e.getTimeMs()).toBuilder().setMountId(id).build();
    b.insertInode(dir);
    TreeEdits.link(b, parent, dir, e.getTimeMs());
    b.putMount(MountRecord.newBuilder().setInfo(e.getInfo()).build());
    return ApplyResults.ok(dir);
  }

  /** The checks both sides make; returns the parent directory. */
  private static InodeRecord check(NamespaceReader reader, NamespacePath path, MountInfo info, Caller caller)
      throws RpcException {
    if (path.isRoot()) {
      throw new RpcException(Status.INVALID_ARGUMENT, "/: cannot mount at the root");
    }
    if (!caller.superuser()) {
      throw new RpcException(Status.PERMISSION_DENIED, path + ": only the superuser may mount");
    }
    PathResolver.Walk walk = PathResolver.walk(reader, path, caller);
    if (walk.complete()) {
      throw new RpcException(Status.ALREADY_EXISTS, path + ": exists (a mount point must not)");
    }
    InodeRecord parent = PathResolver.parentDirectory(reader, path, caller);
    if (parent.getMountId() != 0) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": inside another mount (mounts do not nest)");
    }
    for (MountRecord m : reader.mounts()) {
      if (overlaps(m.getInfo().getUfsUri(), info.getUfsUri())) {
        throw new RpcException(Status.INVALID_ARGUMENT, path + ": " + info.getUfsUri() + " overlaps "
            + m.getInfo().getUfsUri() + ", mounted at " + m.getInfo().getPath());
      }
    }
    return parent;
  }

  /** Whether one UFS location is the other or inside it. */
  static boolean overlaps(String a, String b) {
    String x = a.endsWith("/") ? a : a + "/";
    String y = b.endsWith("/") ? b : b + "/";
    return x.startsWith(y) || y.startsWith(x);
  }

  private static URI parseUri(String s) throws RpcException {
    try {
      URI uri = new URI(s).normalize();
      if (uri.getScheme() == null) {
        throw new RpcException(Status.INVALID_ARGUMENT, s + ": a UFS URI needs a scheme (file://, s3://, hdfs://)");
      }
      if ("file".equals(uri.getScheme())) {
        uri = java.nio.file.Path.of(uri).toUri();  // file:/x and file:///x are one location
      }
      String text = uri.toString();
      // One spelling per location, so that overlapping mounts are recognised.
      return text.length() > uri.getScheme().length() + 3 && text.endsWith("/")
          ? new URI(text.substring(0, text.length() - 1)) : uri;
    } catch (URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
      throw new RpcException(Status.INVALID_ARGUMENT, s + ": not a URI: " + e.getMessage());
    }
  }

  /** Whether {@code inode} is a mount point. */
  static boolean isMountPoint(InodeRecord inode) {
    return inode.getType() == FileType.DIRECTORY && inode.getMountId() == inode.getId();
  }
}
