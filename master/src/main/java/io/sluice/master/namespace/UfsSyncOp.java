package io.sluice.master.namespace;

import io.sluice.common.proto.BlockMeta;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.proto.UfsChild;
import io.sluice.master.proto.UfsSyncEntry;
import io.sluice.master.store.NamespaceReader;
import io.sluice.master.store.StoreBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Makes the children of one directory under a mount match what the leader found in the UFS (DESIGN §4, cache
 * mode). A file is cut into blocks of the entry's block size, complete at once: its bytes are the UFS's, read
 * through by a worker on first access. A child whose type or fingerprint changed is replaced by a new inode, so its
 * old blocks are dropped and never served for the new content. Inodes that are not UFS-backed and files still being
 * written are left alone. Acts for the system (the leader already checked the caller could look). Errors: STALE
 * (the directory is gone or is another inode now).
 */
public final class UfsSyncOp {
  private UfsSyncOp() {}

  /** Whether the namespace's {@code inode} already stands for {@code child} as the UFS has it. */
  public static boolean matches(InodeRecord inode, UfsChild child) {
    if (child.getDirectory()) {
      return inode.getType() == FileType.DIRECTORY;
    }
    return inode.getType() == FileType.FILE && inode.getUfsFingerprint().equals(child.getFingerprint());
  }

  /** Whether a sync may replace or drop {@code inode}: only complete UFS-backed inodes are the UFS's. */
  public static boolean replaceable(InodeRecord inode) {
    return inode.getMountId() != 0 && !MountOp.isMountPoint(inode)
        && (inode.getType() != FileType.FILE || inode.getComplete());
  }

  public static ApplyResult apply(UfsSyncEntry e, StoreBatch b) throws RpcException {
    NamespacePath dirPath = NamespacePath.parse(e.getDirPath());
    InodeRecord dir = b.inode(e.getDirId()).orElseThrow(() -> stale(dirPath));
    if (dir.getType() != FileType.DIRECTORY || dir.getMountId() != e.getMountId()) {
      throw stale(dirPath);
    }
    List<Long> removed = new ArrayList<>();
    for (UfsChild c : e.getChildrenList()) {
      NamespacePath path = dirPath.child(c.getName());
      OptionalLong existing = b.childId(dir.getId(), c.getName());
      if (existing.isPresent()) {
        InodeRecord old = PathResolver.inode(b, existing.getAsLong(), path.toString());
        if (matches(old, c) || !replaceable(old)) {
          continue;
        }
        TreeEdits.Removal r = TreeEdits.remove(b, dir, c.getName(), old, Caller.SYSTEM, e.getTimeMs());
        removed.addAll(r.blocks());
        dir = r.parent();
      }
      InodeRecord inode = newInode(e, c, dir, TreeEdits.freshId(b, c.getId(), path));
      b.insertInode(inode);
      dir = TreeEdits.link(b, dir, inode, e.getTimeMs());
    }
    for (String name : e.getRemovedList()) {
      OptionalLong existing = b.childId(dir.getId(), name);
      if (existing.isEmpty()) {
        continue;
      }
      InodeRecord old = PathResolver.inode(b, existing.getAsLong(), dirPath.child(name).toString());
      if (replaceable(old)) {
        TreeEdits.Removal r = TreeEdits.remove(b, dir, name, old, Caller.SYSTEM, e.getTimeMs());
        removed.addAll(r.blocks());
        dir = r.parent();
      }
    }
    return ApplyResults.ok(null, removed);
  }

  /** Times are the UFS's, but the inode is created now: a TTL counts from when Sluice loaded it, as in Alluxio. */
  private static InodeRecord newInode(UfsSyncEntry e, UfsChild c, InodeRecord dir, long id) {
    long mtime = c.getMtimeMs() > 0 ? c.getMtimeMs() : e.getTimeMs();
    if (c.getDirectory()) {
      return Inodes.directory(id, dir.getId(), c.getName(), Inodes.DEFAULT_DIR_MODE, e.getOwner(), e.getGroup(),
          mtime).toBuilder().setMountId(e.getMountId()).setCreatedMs(e.getTimeMs()).build();
    }
    long length = c.getLength();
    // A file too long for its blocks at this size gets bigger blocks rather than fail to load.
    long blockSize = Math.max(e.getBlockSize(), ceilDiv(length, BlockIds.MAX_BLOCKS));
    InodeRecord.Builder f = Inodes.file(id, dir.getId(), c.getName(), Inodes.DEFAULT_FILE_MODE, e.getOwner(),
        e.getGroup(), mtime, blockSize, 1).toBuilder().setComplete(true).setLength(length)
        .setMountId(e.getMountId()).setUfsFingerprint(c.getFingerprint()).setCreatedMs(e.getTimeMs());
    int blocks = (int) ceilDiv(length, blockSize);
    for (int i = 0; i < blocks; i++) {
      f.addBlocks(BlockMeta.newBuilder().setBlockId(BlockIds.of(id, i))
          .setLength(Math.min(blockSize, length - i * blockSize)));
    }
    return f.build();
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  private static RpcException stale(NamespacePath dir) {
    return new RpcException(Status.STALE, dir + ": changed while its UFS listing was applied; retry");
  }

  /** For the leader: the inode of {@code name} in {@code dirId}, if any. */
  public static Optional<InodeRecord> child(NamespaceReader reader, long dirId, String name) {
    OptionalLong id = reader.childId(dirId, name);
    return id.isEmpty() ? Optional.empty() : reader.inode(id.getAsLong());
  }
}
