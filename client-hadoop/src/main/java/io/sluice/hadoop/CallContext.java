package io.sluice.hadoop;

import io.sluice.client.SluiceClient;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.fs.statistics.impl.IOStatisticsStore;

/**
 * What the call helpers of a {@link SluiceFileSystem} share: its client, its path resolution and its counters.
 *
 * @param fs the file system served; asked on every call (not copied) for {@code makeQualified} and its
 *     configuration, so a changed working directory or umask applies as it did before the helpers existed
 * @param statistics Hadoop's per-scheme counters of {@code fs}
 * @param ioStatistics {@code fs}'s operation counts under Hadoop's names ({@link SluiceIOStatistics})
 */
record CallContext(SluiceClient client, FileSystem fs, FileSystem.Statistics statistics,
    IOStatisticsStore ioStatistics) {

  /**
   * The Sluice path of {@code p}: qualified against the working directory, checked to belong to this file system.
   */
  String pathOf(Path p) {
    return fs.makeQualified(p).toUri().getPath();
  }

  /** The status of {@code qualified}, a lookup failure mapped as for any lookup. */
  FileInfo statusOf(Path qualified) throws IOException {
    try {
      return client.getStatus(pathOf(qualified));
    } catch (RpcException e) {
      throw ErrorMapper.lookup(e, qualified);
    }
  }

  /** {@code permission} less the configured umask ({@code fs.permissions.umask-mode}), as HDFS clients apply it. */
  int maskedMode(FsPermission permission) {
    FsPermission p = permission == null ? FsPermission.getFileDefault() : permission;
    return p.applyUMask(FsPermission.getUMask(fs.getConf())).toShort() & 07777;
  }
}
