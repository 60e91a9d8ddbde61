package io.sluice.master.namespace;

import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import io.sluice.master.proto.InodeRecord;

/** New inode records and their client view. */
final class Inodes {
  static final int DEFAULT_DIR_MODE = 0755;
  static final int DEFAULT_FILE_MODE = 0644;

  private Inodes() {}

  /** A new, empty directory ({@code nlink} 2: its entry in the parent and its own {@code .}). */
  static InodeRecord directory(long id, long parentId, String name, int mode, String owner, String group, long time) {
    return InodeRecord.newBuilder().setId(id).setParentId(parentId).setName(name).setType(FileType.DIRECTORY)
        .setMode(mode & 07777).setOwner(owner).setGroup(group).setMtimeMs(time).setAtimeMs(time).setCtimeMs(time)
        .setCreatedMs(time).setNlink(2).build();
  }

  /** A new, empty, incomplete file. */
  static InodeRecord file(long id, long parentId, String name, int mode, String owner, String group, long time,
      long blockSize, int replicas) {
    return InodeRecord.newBuilder().setId(id).setParentId(parentId).setName(name).setType(FileType.FILE)
        .setMode(mode & 07777).setOwner(owner).setGroup(group).setMtimeMs(time).setAtimeMs(time).setCtimeMs(time)
        .setCreatedMs(time).setNlink(1).setBlockSize(blockSize).setReplicas(replicas).setComplete(false).build();
  }

  /** A new symbolic link; its mode is 0777 as on Linux (permissions are the target's business). */
  static InodeRecord symlink(long id, long parentId, String name, String target, String owner, String group,
      long time) {
    return InodeRecord.newBuilder().setId(id).setParentId(parentId).setName(name).setType(FileType.SYMLINK)
        .setMode(0777).setOwner(owner).setGroup(group).setMtimeMs(time).setAtimeMs(time).setCtimeMs(time)
        .setCreatedMs(time).setNlink(1).setLength(target.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
        .setSymlinkTarget(target).setComplete(true).build();
  }

  static FileInfo toFileInfo(InodeRecord r) {
    return FileInfo.newBuilder().setId(r.getId()).setName(r.getName()).setType(r.getType()).setLength(r.getLength())
        .setBlockSize(r.getBlockSize()).setMode(r.getMode()).setOwner(r.getOwner()).setGroup(r.getGroup())
        .setMtimeMs(r.getMtimeMs()).setAtimeMs(r.getAtimeMs()).setCtimeMs(r.getCtimeMs()).setNlink(r.getNlink())
        .setComplete(r.getType() != FileType.FILE || r.getComplete()).setReplicas(r.getReplicas())
        .addAllBlocks(r.getBlocksList()).setParentId(r.getParentId()).setSymlinkTarget(r.getSymlinkTarget())
        .setXattrCount(r.getXattrsCount()).setMountId(r.getMountId()).setCreatedMs(createdMs(r))
        .setTtlMs(r.getTtlMs()).setTtlAction(r.getTtlAction()).setPinned(r.getPinned()).build();
  }

  /**
   * The client view of {@code r} as named by the edge {@code parentId/name}: for a file with several names (hard
   * links) the one a caller used, not necessarily the one its record holds.
   */
  static FileInfo toFileInfo(InodeRecord r, long parentId, String name) {
    FileInfo info = toFileInfo(r);
    return info.getParentId() == parentId && info.getName().equals(name) ? info
        : info.toBuilder().setParentId(parentId).setName(name).build();
  }

  /** When the inode was created; records from before the field was kept have their ctime instead. */
  static long createdMs(InodeRecord r) {
    return r.getCreatedMs() != 0 ? r.getCreatedMs() : r.getCtimeMs();
  }
}
