package io.sluice.hadoop;

import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;

/** A Sluice {@link FileInfo} as a Hadoop {@link FileStatus}. */
final class FileStatusMapper {
  /** Permission bits Hadoop's {@link FsPermission} carries: rwx for all three plus sticky (no setuid/setgid). */
  private static final int HADOOP_MODE_BITS = 01777;

  private FileStatusMapper() {}

  /**
   * @param path the qualified path of {@code info}
   * @return a directory with length, replication and block size 0 (as HDFS reports them), a file, or a symlink
   *     carrying its target as given (Sluice never follows links)
   */
  static FileStatus toFileStatus(FileInfo info, Path path) {
    boolean dir = info.getType() == FileType.DIRECTORY;
    FsPermission permission = new FsPermission((short) (info.getMode() & HADOOP_MODE_BITS));
    Path symlink = info.getType() == FileType.SYMLINK && !info.getSymlinkTarget().isEmpty()
        ? new Path(info.getSymlinkTarget()) : null;
    return new FileStatus(dir ? 0 : info.getLength(), dir, dir ? 0 : info.getReplicas(),
        dir ? 0 : info.getBlockSize(), info.getMtimeMs(), info.getAtimeMs(), permission, info.getOwner(),
        info.getGroup(), symlink, path);
  }
}
