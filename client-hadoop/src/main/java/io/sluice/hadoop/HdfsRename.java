package io.sluice.hadoop;

import io.sluice.client.SluiceClient;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code FileSystem.rename} as HDFS does it, over Sluice's strict rename (which fails when the destination exists):
 * <ul>
 *   <li>an existing directory as destination means "move into it" ({@code dst/srcName});
 *   <li>false, not an exception, when the source is missing, the destination (or {@code dst/srcName}) exists, its
 *       parent is missing or is a file, or the source is the root;
 *   <li>true for a path renamed to itself when it exists;
 *   <li>an {@link IOException} for a move into the source's own subtree (the Hadoop file system specification);
 *       other failures (permissions, the cluster) as {@link ErrorMapper} maps them.
 * </ul>
 * The destination check and the move are two calls, but the move itself never replaces anything, so a race can only
 * turn a success into false.
 */
final class HdfsRename {
  private static final Logger LOG = LoggerFactory.getLogger(HdfsRename.class);

  private HdfsRename() {}

  /**
   * @param from {@code src}'s absolute Sluice path
   * @param to {@code dst}'s absolute Sluice path
   */
  static boolean rename(SluiceClient client, String from, String to, Path src, Path dst) throws IOException {
    if (from.equals("/")) {
      return false;
    }
    if (from.equals(to)) {
      return exists(client, from, src);
    }
    String target = to;
    try {
      FileInfo existing = client.getStatus(to);
      if (existing.getType() != FileType.DIRECTORY) {
        return false;
      }
      target = to.equals("/") ? "/" + src.getName() : to + "/" + src.getName();
    } catch (RpcException e) {
      if (e.status() == Status.NOT_DIRECTORY) {
        return false;
      }
      if (e.status() != Status.NOT_FOUND) {
        throw ErrorMapper.lookup(e, dst);
      }
    }
    try {
      client.rename(from, target);
      return true;
    } catch (RpcException e) {
      switch (e.status()) {
        case NOT_FOUND, ALREADY_EXISTS, NOT_DIRECTORY, IS_DIRECTORY, NOT_EMPTY -> {
          LOG.debug("rename {} -> {}: {} {}", from, target, e.status(), e.getMessage());
          return false;
        }
        case INVALID_ARGUMENT -> throw new IOException(e.getMessage(), e);
        default -> throw ErrorMapper.map(e, src);
      }
    }
  }

  private static boolean exists(SluiceClient client, String path, Path src) throws IOException {
    try {
      client.getStatus(path);
      return true;
    } catch (RpcException e) {
      if (e.status() == Status.NOT_FOUND || e.status() == Status.NOT_DIRECTORY) {
        return false;
      }
      throw ErrorMapper.lookup(e, src);
    }
  }
}
