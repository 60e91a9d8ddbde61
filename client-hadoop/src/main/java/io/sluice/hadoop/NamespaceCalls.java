package io.sluice.hadoop;

import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.PathIsNotEmptyDirectoryException;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.fs.statistics.StoreStatisticNames;

/**
 * {@link SluiceFileSystem}'s calls that add or remove names without writing data: mkdirs, delete and symlinks
 * (rename, which has more to it, is {@link HdfsRename}). Results follow HDFS where Sluice's own answer differs.
 */
final class NamespaceCalls {
  private final CallContext ctx;

  NamespaceCalls(CallContext ctx) {
    this.ctx = ctx;
  }

  /** Creates {@code f} and its missing parents with {@code permission} less the umask; true when it exists. */
  boolean mkdirs(Path f, FsPermission permission) throws IOException {
    ctx.statistics().incrementWriteOps(1);
    ctx.ioStatistics().incrementCounter(StoreStatisticNames.OP_MKDIRS);
    try {
      ctx.client().mkdir(ctx.pathOf(f), true, ctx.maskedMode(permission));
      return true;
    } catch (RpcException e) {
      throw ErrorMapper.map(e, f);
    }
  }

  /**
   * @return false when nothing is at {@code f}, and for the root, which is never deleted (as in HDFS; a
   *     non-recursive delete of a non-empty root still fails as for any non-empty directory)
   */
  boolean delete(Path f, boolean recursive) throws IOException {
    ctx.statistics().incrementWriteOps(1);
    ctx.ioStatistics().incrementCounter(StoreStatisticNames.OP_DELETE);
    String path = ctx.pathOf(f);
    try {
      if (path.equals("/")) {
        if (!recursive && ctx.client().listStatus(path).iterator().hasNext()) {
          throw new PathIsNotEmptyDirectoryException(ctx.fs().makeQualified(f).toString());
        }
        return false;
      }
      ctx.client().delete(path, recursive);
      return true;
    } catch (RpcException e) {
      if (e.status() == Status.NOT_FOUND || e.status() == Status.NOT_DIRECTORY) {
        return false;
      }
      throw ErrorMapper.map(e, f);
    }
  }

  /** Creates {@code link} pointing at {@code target}, stored as given. */
  void createSymlink(Path target, Path link, boolean createParent) throws IOException {
    ctx.statistics().incrementWriteOps(1);
    try {
      if (createParent && link.getParent() != null) {
        ctx.client().mkdir(ctx.pathOf(link.getParent()), true);
      }
      ctx.client().createSymlink(ctx.pathOf(link), target.toString());
    } catch (RpcException e) {
      throw ErrorMapper.map(e, link);
    }
  }
}
