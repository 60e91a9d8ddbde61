package io.sluice.master.namespace;

import io.sluice.common.proto.BlockMeta;
import io.sluice.common.proto.FileType;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.proto.VersionRecord;
import io.sluice.master.store.NamespaceReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which files' blocks the workers must never evict (issue 4): those of Sluice-native files (mount id 0: the workers
 * hold the only copy of their data) and of pinned files. A file is pinned when it or any directory above it has its
 * own {@code pinned} flag ({@link SetPinnedOp}).
 *
 * <p>Why "or any directory above it", evaluated when asked rather than copied into every file: pinning a directory
 * is then one journal entry however large it is, files created or loaded from the UFS under it later are pinned
 * without any op copying the flag, and unpinning it cannot leave copies behind. The price is a walk up the tree per
 * file asked about; one instance remembers each directory's answer, so a block report of many files of few
 * directories costs few reads. The leader re-tells the workers when a pin or a rename changes the answer for files
 * they hold. Not thread-safe; use one instance for one question over one view of the namespace.
 */
public final class KeptFiles {
  /** Directory entries read per page while walking a subtree. */
  private static final int PAGE = 1000;

  /** The blocks of the UFS-backed files under a path, by whether they must be kept. */
  public record Blocks(List<Long> kept, List<Long> evictable) {}

  private final NamespaceReader reader;
  private final Map<Long, Boolean> pinnedDirs = new HashMap<>();

  public KeptFiles(NamespaceReader reader) {
    this.reader = reader;
  }

  /** Of {@code blockIds}, those whose file must be kept; ids that name no file are left out. */
  public Set<Long> keep(Collection<Long> blockIds) {
    Set<Long> out = new HashSet<>();
    for (long b : blockIds) {
      if (file(b).filter(this::kept).isPresent()) {
        out.add(b);
      }
    }
    return out;
  }

  /** Whether the blocks of {@code file} must be kept: it is Sluice-native or pinned. */
  public boolean kept(InodeRecord file) {
    return file.getMountId() == 0 || pinned(file);
  }

  /** Whether {@code inode} is pinned, itself or by a directory above it. */
  public boolean pinned(InodeRecord inode) {
    return inode.getPinned() || pinnedFrom(inode.getParentId());
  }

  /** Whether directory {@code dirId} or one above it is pinned (false for 0, above the root). */
  public boolean pinnedFrom(long dirId) {
    List<Long> walked = new ArrayList<>();
    boolean answer = false;
    for (long id = dirId; id != 0; ) {
      Boolean known = pinnedDirs.get(id);
      if (known != null) {
        answer = known;
        break;
      }
      walked.add(id);
      Optional<InodeRecord> dir = reader.inode(id);
      if (dir.isEmpty()) {
        break;
      }
      if (dir.get().getPinned()) {
        answer = true;
        break;
      }
      id = dir.get().getParentId();
    }
    for (long id : walked) { // every directory walked has the answer found above it
      pinnedDirs.put(id, answer);
    }
    return answer;
  }

  /**
   * The blocks of the UFS-backed files at or under {@code path}, split by whether they must be kept now: what the
   * workers must be told after a pin, an unpin or a rename there. Sluice-native files are left out (always kept,
   * whatever changed). Acts for the system: no permission is checked (the op that changed the path checked them).
   *
   * @param reader a consistent view (a snapshot), since the walk reads many keys
   * @throws RpcException NOT_FOUND when the path is gone (removed since)
   */
  public static Blocks under(NamespaceReader reader, String path) throws RpcException {
    KeptFiles rule = new KeptFiles(reader);
    InodeRecord top = PathResolver.resolve(reader, NamespacePath.parse(path), Caller.SYSTEM);
    List<Long> kept = new ArrayList<>();
    List<Long> evictable = new ArrayList<>();
    Deque<InodeRecord> pending = new ArrayDeque<>();
    pending.push(top);
    while (!pending.isEmpty()) {
      InodeRecord inode = pending.pop();
      if (inode.getType() == FileType.DIRECTORY) {
        String after = "";
        List<NamespaceReader.Child> page;
        do {
          page = reader.children(inode.getId(), after, PAGE);
          for (NamespaceReader.Child c : page) {
            pending.push(PathResolver.inode(reader, c.id(), c.name()));
            after = c.name();
          }
        } while (page.size() == PAGE);
      } else if (inode.getType() == FileType.FILE && inode.getMountId() != 0) {
        List<Long> into = rule.pinned(inode) ? kept : evictable;
        for (BlockMeta m : inode.getBlocksList()) {
          into.add(m.getBlockId());
        }
      }
    }
    return new Blocks(kept, evictable);
  }

  /**
   * Whether the directory that holds {@code path} or one above it is pinned: what a file moved there inherits. False
   * when there is no such directory (the answer then matters to no one).
   */
  public static boolean pinnedAbove(NamespaceReader reader, String path) {
    try {
      NamespacePath p = NamespacePath.parse(path);
      if (p.depth() == 0) {
        return false;
      }
      return new KeptFiles(reader).pinnedFrom(PathResolver.parentDirectory(reader, p, Caller.SYSTEM).getId());
    } catch (RpcException e) {
      return false;
    }
  }

  /** The file a block id belongs to: its own for a block as first written, its version record's for a version. */
  private Optional<InodeRecord> file(long blockId) {
    long fileId;
    if (BlockIds.isVersion(blockId)) {
      Optional<VersionRecord> v = reader.version(blockId);
      if (v.isEmpty()) {
        return Optional.empty();
      }
      fileId = v.get().getFileId();
    } else {
      fileId = BlockIds.fileId(blockId);
    }
    return fileId == 0 ? Optional.empty() : reader.inode(fileId).filter(f -> f.getType() == FileType.FILE);
  }
}
