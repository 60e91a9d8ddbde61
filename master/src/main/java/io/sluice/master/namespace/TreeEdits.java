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
 * parent's mtime, ctime and link count follow), creating missing directories, removing a subtree. A record passed
 * in is the caller's latest copy; each method returns the parent as it now is in the batch.
 */
final class TreeEdits {
  /** Children read per page while removing a directory: bounds memory for huge directories. */
  private static final int PAGE = 1024;

  private TreeEdits() {}

  /** Adds the edge {@code parent/child.name -> child}; the child's record is the caller's to write. */
  static InodeRecord link(StoreBatch b, InodeRecord parent, InodeRecord child, long time) {
    b.putEdge(parent.getId(), child.getName(), child.getId());
    InodeRecord p = parent.toBuilder().setMtimeMs(time).setCtimeMs(time)
        .setNlink(parent.getNlink() + (child.getType() == FileType.DIRECTORY ? 1 : 0)).build();
    b.updateInode(p);
    return p;
  }

  /** Removes the edge {@code parent/child.name}; the child's record is the caller's to move or delete. */
  static InodeRecord unlink(StoreBatch b, InodeRecord parent, InodeRecord child, long time) {
    b.deleteEdge(parent.getId(), child.getName());
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
   * Deletes {@code top} and everything below it: inode records and the edges inside the subtree (not the edge to
   * {@code top} from its parent, which the caller unlinks). Walks with an explicit stack of ids, not recursion.
   * Emptying a directory needs full permission on it (read to list, write and search to remove): a denial fails
   * the whole operation, whose batch the applier then discards.
   *
   * @return the ids of the blocks of every deleted file, to remove from workers
   */
  static List<Long> removeSubtree(StoreBatch b, InodeRecord top, Caller caller) throws RpcException {
    List<Long> blocks = new ArrayList<>();
    Deque<Long> pending = new ArrayDeque<>();
    collect(b, top, blocks, pending, caller);
    while (!pending.isEmpty()) {
      long id = pending.pop();
      collect(b, PathResolver.inode(b, id, "inode " + id), blocks, pending, caller);
    }
    return blocks;
  }

  private static void collect(StoreBatch b, InodeRecord inode, List<Long> blocks, Deque<Long> pending,
      Caller caller) throws RpcException {
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
          pending.push(c.id());
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
