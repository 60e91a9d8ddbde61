package io.sluice.master.namespace;

import io.sluice.common.proto.FileInfo;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.store.NamespaceReader;

/** The status of one path, read on the leader. Errors: NOT_FOUND, NOT_DIRECTORY, INVALID_ARGUMENT. */
public final class GetStatusOp {
  private GetStatusOp() {}

  public static FileInfo run(NamespaceReader reader, String path) throws RpcException {
    return Inodes.toFileInfo(PathResolver.resolve(reader, NamespacePath.parse(path)));
  }
}
