package io.sluice.master.namespace;

import io.sluice.common.proto.BlockMeta;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.store.NamespaceReader;
import io.sluice.master.store.StoreBatch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/**
 * The edits several operations share, all inside one {@link StoreBatch}: linking and unlinking a child (the
 * parent's mtime, ctime and link count follow), creating missing directories, removing a name with what it alone
 * held. A record passed in is the caller's latest copy; each method returns the parent as it now is in the batch.
 *
 * <p>A name is an edge: the one a caller removes is the path's last name, which for a file with several names
 * (hard links, see {@link HardLinks}) need not be the name its record holds.
 */
final class TreeEdits {
  /** Children read per page while removing a directory: bounds memory for huge directories. */
  private static final int PAGE = 1024;

  private TreeEdits() {}

  /** What removing a name took away: the parent as it now is, and the blocks of files that lost their last name. */
  record Removal(InodeRecord parent, List<Long> blocks) {}

  /** A name to remove: the edge {@code parentId/name -> id}. */
  private record Edge(long parentId, String name, long id) {}

  /** Adds the edge {@code parent/child.name -> child}; the child's record is the caller's to write. */
  static InodeRecord link(StoreBatch b, InodeRecord parent, InodeRecord child, long time) {
    return link(b, parent, child.getName(), child, time);
  }

  /** Adds the edge {@code parent/name -> child}; the child's record is the caller's to write. */
  static InodeRecord link(StoreBatch b, InodeRecord parent, String name, InodeRecord child, long time) {
    b.putEdge(parent.getId(), name, child.getId());
    InodeRecord p = parent.toBuilder().setMtimeMs(time).setCtimeMs(time)
        .setNlink(parent.getNlink() + (child.getType() == FileType.DIRECTORY ? 1 : 0)).build();
    b.updateInode(p);
    return p;
  }

  /** Removes the edge {@code parent/name} to {@code child}; the child's record is the caller's to move or delete. */
  static InodeRecord unlink(StoreBatch b, InodeRecord parent, String name, InodeRecord child, long time) {
    b.deleteEdge(parent.getId(), name);
    InodeRecord p = parent.toBuilder().setMtimeMs(time).setCtimeMs(time)
        .setNlink(parent.getNlink() - (child.getType() == FileType.DIRECTORY ? 1 : 0)).build();
    b.updateInode(p);
    return p;
  }

  /**
   * Creates the directories of {@code walk.path()} from the first missing name up to (excluding) name {@code upTo},
   * taking their ids from {@code ids} in order; group empty means the parent's group.
   *
   * @return the deepest directory, now existing
   * @throws RpcException STALE when {@code ids} runs out or holds an id already used: the namespace changed since
   *     the leader decided, and the client should retry
   */
  static InodeRecord makeDirectories(StoreBatch b, PathResolver.Walk walk, int upTo, Iterator<Long> ids, int mode,
      String owner, String group, long time) throws RpcException {
    InodeRecord parent = walk.deepest();
    for (int i = walk.found(); i < upTo; i++) {
      long id = freshId(b, ids, walk.path());
      // Under a mount the new directory is UFS-backed like its parent (it was made in the UFS first).
      InodeRecord dir = Inodes.directory(id, parent.getId(), walk.path().names().get(i), mode, owner,
          group.isEmpty() ? parent.getGroup() : group, time).toBuilder().setMountId(parent.getMountId()).build();
      b.insertInode(dir);
      link(b, parent, dir, time);
      parent = dir;
    }
    return parent;
  }

  /** The next id of {@code ids}, checked unused. */
  static long freshId(StoreBatch b, Iterator<Long> ids, NamespacePath path) throws RpcException {
    if (!ids.hasNext()) {
      throw new RpcException(Status.STALE, path + ": the namespace changed while the request was decided; retry");
    }
    return freshId(b, ids.next(), path);
  }

  /**
   * Checks that {@code id} names no inode. The leader never hands out an id twice (its counter starts above every
   * id applied before it leads), so a collision means an entry decided by an outdated leader: refused as STALE.
   */
  static long freshId(StoreBatch b, long id, NamespacePath path) throws RpcException {
    if (id <= 0 || b.inode(id).isPresent()) {
      throw new RpcException(Status.STALE, path + ": inode id " + id + " is in use (outdated leader?); retry");
    }
    return id;
  }

  /**
   * Removes the name {@code parent/name} of {@code inode}: the edge, and the inode with everything below it, except
   * what keeps other names (a file with hard links elsewhere only loses the name removed here, and changes ctime to
   * {@code time}). Walks with an explicit stack, not recursion. Emptying a directory needs full permission on it
   * (read to list, write and search to remove): a denial fails the whole operation, whose batch the applier then
   * discards.
   *
   * @return the parent as it now is, and the ids of the blocks of every file deleted, to remove from workers
   */
  static Removal remove(StoreBatch b, InodeRecord parent, String name, InodeRecord inode, Caller caller, long time)
      throws RpcException {
    InodeRecord p = unlink(b, parent, name, inode, time);
    List<Long> blocks = new ArrayList<>();
    Deque<Edge> pending = new ArrayDeque<>();
    collect(b, inode, parent.getId(), name, blocks, pending, caller, time);
    while (!pending.isEmpty()) {
      Edge e = pending.pop();
      collect(b, PathResolver.inode(b, e.id(), "inode " + e.id()), e.parentId(), e.name(), blocks, pending, caller,
          time);
    }
    return new Removal(p, blocks);
  }

  /** Deletes {@code inode}, reached by {@code parentId/name}, queueing its children; keeps it if named elsewhere. */
  private static void collect(StoreBatch b, InodeRecord inode, long parentId, String name, List<Long> blocks,
      Deque<Edge> pending, Caller caller, long time) throws RpcException {
    if (HardLinks.shared(inode)) {
      HardLinks.drop(b, inode, parentId, name, time);
      return;
    }
    if (inode.getType() == FileType.DIRECTORY) {
      String after = "";
      List<NamespaceReader.Child> page;
      do {
        page = b.children(inode.getId(), after, PAGE);
        if (after.isEmpty() && !page.isEmpty()) {
          Permissions.check(caller, inode, Permissions.READ | Permissions.WRITE | Permissions.EXECUTE,
              "directory " + inode.getName() + " (inode " + inode.getId() + ")");
        }
        for (NamespaceReader.Child c : page) {
          pending.push(new Edge(inode.getId(), c.name(), c.id()));
          b.deleteEdge(inode.getId(), c.name());
          after = c.name();
        }
      } while (page.size() == PAGE);
    } else {
      for (BlockMeta m : inode.getBlocksList()) {
        blocks.add(m.getBlockId());
      }
    }
    b.deleteInode(inode.getId());
  }
}
