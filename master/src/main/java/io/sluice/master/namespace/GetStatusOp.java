package io.sluice.master.namespace;

import io.sluice.common.proto.FileInfo;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.store.NamespaceReader;

/**
 * The status of one path, read on the leader. Needs search permission on the directories on the way. Errors:
 * NOT_FOUND, NOT_DIRECTORY, PERMISSION_DENIED, INVALID_ARGUMENT.
 */
public final class GetStatusOp {
  private GetStatusOp() {}

  public static FileInfo run(NamespaceReader reader, String path, Caller caller) throws RpcException {
    PathResolver.Walk w = PathResolver.resolveWalk(reader, NamespacePath.parse(path), caller);
    return w.parent() == null ? Inodes.toFileInfo(w.deepest())
        : Inodes.toFileInfo(w.deepest(), w.parent().getId(), w.path().name());
  }
}
