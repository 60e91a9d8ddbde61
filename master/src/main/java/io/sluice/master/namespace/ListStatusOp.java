package io.sluice.master.namespace;

import io.sluice.common.proto.FileType;
import io.sluice.common.proto.ListStatusRequest;
import io.sluice.common.proto.ListStatusResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.store.NamespaceReader;
import java.util.List;

/**
 * One page of a directory listing, in UTF-8 byte order of the names: entries after {@code start_after}, at most
 * {@code limit} ({@value #DEFAULT_LIMIT} when 0, never more than {@value #MAX_LIMIT}, which bounds the reply
 * frame). Listing a file gives that file. Errors: NOT_FOUND, NOT_DIRECTORY, PERMISSION_DENIED,
 * INVALID_ARGUMENT.
 */
public final class ListStatusOp {
  static final int DEFAULT_LIMIT = 1000;
  static final int MAX_LIMIT = 10_000;

  private ListStatusOp() {}

  /** @param reader a consistent view (a snapshot), since the listing reads many keys */
  public static ListStatusResponse run(NamespaceReader reader, ListStatusRequest req, Caller caller)
      throws RpcException {
    PathResolver.Walk walk = PathResolver.resolveWalk(reader, NamespacePath.parse(req.getPath()), caller);
    InodeRecord dir = walk.deepest();
    if (req.getLimit() < 0) {
      throw new RpcException(Status.INVALID_ARGUMENT, req.getPath() + ": negative limit");
    }
    ListStatusResponse.Builder out = ListStatusResponse.newBuilder();
    if (dir.getType() != FileType.DIRECTORY) {
      // A file has a parent: the root is a directory.
      return out.addEntries(Inodes.toFileInfo(dir, walk.parent().getId(), walk.path().name())).build();
    }
    // Reading the names needs read, their attributes search permission (as HDFS: read and execute).
    Permissions.check(caller, dir, Permissions.READ | Permissions.EXECUTE, req.getPath());
    int limit = req.getLimit() == 0 ? DEFAULT_LIMIT : Math.min(req.getLimit(), MAX_LIMIT);
    // One more than asked tells whether there is a next page without a second scan.
    List<NamespaceReader.Child> children = reader.children(dir.getId(), req.getStartAfter(), limit + 1);
    for (int i = 0; i < Math.min(limit, children.size()); i++) {
      NamespaceReader.Child c = children.get(i);
      InodeRecord child = PathResolver.inode(reader, c.id(), req.getPath() + "/" + c.name());
      out.addEntries(Inodes.toFileInfo(child, dir.getId(), c.name()));
    }
    return out.setHasMore(children.size() > limit).build();
  }
}
