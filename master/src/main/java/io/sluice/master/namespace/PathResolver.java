package io.sluice.master.namespace;

import io.sluice.common.proto.FileType;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.store.NamespaceReader;
import io.sluice.master.store.NamespaceStore;
import java.util.OptionalLong;

/**
 * Resolves paths to inodes by walking edges from the root, one point read per name. Looking a name up in a directory
 * needs search (execute) permission on it, as in POSIX: a walk checks it for every directory it looks into.
 */
final class PathResolver {
  /**
   * How far a path exists: {@code found} names resolved, {@code deepest} the inode of the last one (the root when
   * none), {@code parent} the directory whose edge led to it (null when none). A name's parent is the one it was
   * reached through, which for a file with several names (hard links) need not be the one its record holds.
   */
  record Walk(NamespacePath path, InodeRecord deepest, int found, InodeRecord parent) {
    boolean complete() {
      return found == path.depth();
    }
  }

  private PathResolver() {}

  /**
   * Walks {@code path} as far as it exists, at most {@code limit} names.
   *
   * @throws RpcException NOT_DIRECTORY when a name before the end of the walk is a file, PERMISSION_DENIED when
   *     {@code caller} may not search a directory on the way
   */
  static Walk walk(NamespaceReader reader, NamespacePath path, int limit, Caller caller) throws RpcException {
    InodeRecord cur = inode(reader, NamespaceStore.ROOT_ID, "/");
    InodeRecord parent = null;
    for (int i = 0; i < limit; i++) {
      if (cur.getType() != FileType.DIRECTORY) {
        throw new RpcException(Status.NOT_DIRECTORY, path.prefix(i) + " is not a directory (in " + path + ")");
      }
      Permissions.check(caller, cur, Permissions.EXECUTE, path.prefix(i));
      OptionalLong child = reader.childId(cur.getId(), path.names().get(i));
      if (child.isEmpty()) {
        return new Walk(path, cur, i, parent);
      }
      parent = cur;
      cur = inode(reader, child.getAsLong(), path.prefix(i + 1));
    }
    return new Walk(path, cur, limit, parent);
  }

  /** Walks the whole path. */
  static Walk walk(NamespaceReader reader, NamespacePath path, Caller caller) throws RpcException {
    return walk(reader, path, path.depth(), caller);
  }

  /** The inode at {@code path}; NOT_FOUND or NOT_DIRECTORY (a file on the way) otherwise. */
  static InodeRecord resolve(NamespaceReader reader, NamespacePath path, Caller caller) throws RpcException {
    return resolveWalk(reader, path, caller).deepest();
  }

  /**
   * The whole walk to {@code path}, which exists: its inode and the directory holding the name (null for the root);
   * NOT_FOUND or NOT_DIRECTORY otherwise.
   */
  static Walk resolveWalk(NamespaceReader reader, NamespacePath path, Caller caller) throws RpcException {
    Walk w = walk(reader, path, caller);
    if (!w.complete()) {
      throw notFound(path);
    }
    return w;
  }

  /** The directory that holds (or would hold) {@code path}; NOT_FOUND or NOT_DIRECTORY when there is none. */
  static InodeRecord parentDirectory(NamespaceReader reader, NamespacePath path, Caller caller)
      throws RpcException {
    Walk w = walk(reader, path, path.depth() - 1, caller);
    if (w.found() < path.depth() - 1) {
      throw new RpcException(Status.NOT_FOUND, path.prefix(path.depth() - 1) + ": no such directory (for "
          + path + ")");
    }
    if (w.deepest().getType() != FileType.DIRECTORY) {
      throw new RpcException(Status.NOT_DIRECTORY, path.prefix(path.depth() - 1) + " is not a directory");
    }
    return w.deepest();
  }

  static RpcException notFound(NamespacePath path) {
    return new RpcException(Status.NOT_FOUND, path + ": no such file or directory");
  }

  /** An inode an edge points to; a missing one means the store is corrupt. */
  static InodeRecord inode(NamespaceReader reader, long id, String path) throws RpcException {
    return reader.inode(id).orElseThrow(
        () -> new RpcException(Status.INTERNAL, "namespace corrupt: " + path + " names missing inode " + id));
  }
}
