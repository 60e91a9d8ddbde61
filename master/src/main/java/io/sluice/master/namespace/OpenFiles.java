package io.sluice.master.namespace;

import io.sluice.common.proto.FileType;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.store.NamespaceReader;

/**
 * Finds the file a writer's call names. A writer names its file by inode id, not path, so a rename while writing
 * does not matter and a file replaced by an overwrite (a new inode) is not touched by the old writer.
 */
final class OpenFiles {
  private OpenFiles() {}

  /**
   * The file {@code fileId}, or the one at {@code path} when the id is 0.
   *
   * @throws RpcException NOT_FOUND (deleted or overwritten), IS_DIRECTORY
   */
  static InodeRecord find(NamespaceReader reader, long fileId, String path) throws RpcException {
    InodeRecord file;
    if (fileId == 0) {
      file = PathResolver.resolve(reader, NamespacePath.parse(path), Caller.SYSTEM);
    } else {
      file = reader.inode(fileId).orElseThrow(() -> new RpcException(Status.NOT_FOUND,
          path + ": file " + fileId + " no longer exists (deleted or overwritten)"));
    }
    if (file.getType() == FileType.DIRECTORY) {
      throw new RpcException(Status.IS_DIRECTORY, path + ": is a directory");
    }
    return file;
  }
}
