package io.sluice.master.namespace;

import io.sluice.common.proto.FileType;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.store.NamespaceReader;
import io.sluice.master.store.StoreBatch;
import java.util.List;

/**
 * The names of inodes that have several (hard links), inside one {@link StoreBatch}. Each of an inode's edges is
 * one name; every edit of names goes through here so that three records stay in step:
 *
 * <ul>
 *   <li>{@code nlink} in the inode counts its edges (directories aside: theirs counts {@code .} and subdirectories,
 *       and a directory never has a second name);
 *   <li>the inode's own {@code parent_id}/{@code name} is one of its names, so walking up from an inode
 *       ({@code TtlEnforcer.pathOf}, {@code FileInfo.parent_id}) always finds a path that exists;
 *   <li>column family {@code links} lists every name of an inode with {@code nlink > 1}, and none of an inode with
 *       one name (nearly all of them, which therefore cost nothing). It is what tells, when the name the record
 *       holds is removed, which name takes its place, without scanning the namespace.
 * </ul>
 *
 * <p>Edges themselves are the caller's ({@link TreeEdits}); paths resolve through edges only, so a hard link is
 * found like any other name. An inode and its blocks go away with its last name ({@link TreeEdits#remove}).
 */
final class HardLinks {
  /** The most names one inode may have (ext4's limit); beyond it LINK fails. */
  static final int MAX_NAMES = 65_000;

  private HardLinks() {}

  /** Whether {@code inode} has names besides the one being removed, so it must outlive its removal. */
  static boolean shared(InodeRecord inode) {
    return inode.getType() != FileType.DIRECTORY && inode.getNlink() > 1;
  }

  /**
   * Gives {@code inode} the further name {@code parentId/name} and writes its record (ctime {@code time}); the
   * caller adds the edge.
   *
   * @return the inode as now written
   */
  static InodeRecord add(StoreBatch b, InodeRecord inode, long parentId, String name, long time) {
    // A record without nlink (none is written so, but it costs nothing to be sure) has its one name.
    int names = Math.max(1, inode.getNlink());
    if (names == 1) {
      // Its first name enters the index along with its second.
      b.putLink(inode.getId(), inode.getParentId(), inode.getName());
    }
    b.putLink(inode.getId(), parentId, name);
    InodeRecord r = inode.toBuilder().setNlink(names + 1).setCtimeMs(time).build();
    b.updateInode(r);
    return r;
  }

  /**
   * Takes name {@code parentId/name} from a {@link #shared} inode and writes its record (ctime {@code time}); the
   * caller removes the edge. When the record held that name, another of its names takes its place.
   *
   * @return the inode as now written
   * @throws RpcException INTERNAL when the index holds no other name (the store is corrupt)
   */
  static InodeRecord drop(StoreBatch b, InodeRecord inode, long parentId, String name, long time)
      throws RpcException {
    long id = inode.getId();
    b.deleteLink(id, parentId, name);
    InodeRecord.Builder r = inode.toBuilder().setNlink(inode.getNlink() - 1).setCtimeMs(time);
    if (holds(inode, parentId, name)) {
      List<NamespaceReader.Name> left = b.links(id, 1);
      if (left.isEmpty()) {
        throw new RpcException(Status.INTERNAL, "namespace corrupt: inode " + id + " has nlink "
            + inode.getNlink() + " but no other name than " + name + " in directory " + parentId);
      }
      r.setParentId(left.get(0).parentId()).setName(left.get(0).name());
    }
    if (r.getNlink() == 1) {
      b.deleteLink(id, r.getParentId(), r.getName());
    }
    InodeRecord out = r.build();
    b.updateInode(out);
    return out;
  }

  /**
   * Moves {@code inode}'s name {@code fromParent/fromName} to {@code toParent/toName} (a rename) and writes its
   * record (ctime {@code time}); the caller moves the edge.
   *
   * @return the inode as now written
   */
  static InodeRecord move(StoreBatch b, InodeRecord inode, long fromParent, String fromName, long toParent,
      String toName, long time) {
    InodeRecord.Builder r = inode.toBuilder().setCtimeMs(time);
    if (shared(inode)) {
      b.deleteLink(inode.getId(), fromParent, fromName);
      b.putLink(inode.getId(), toParent, toName);
    }
    if (!shared(inode) || holds(inode, fromParent, fromName)) {
      r.setParentId(toParent).setName(toName);
    }
    InodeRecord out = r.build();
    b.updateInode(out);
    return out;
  }

  /** Whether the inode's record holds name {@code parentId/name}. */
  private static boolean holds(InodeRecord inode, long parentId, String name) {
    return inode.getParentId() == parentId && inode.getName().equals(name);
  }
}
