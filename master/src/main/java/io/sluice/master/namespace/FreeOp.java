package io.sluice.master.namespace;

import io.sluice.common.proto.BlockMeta;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.FreeResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.store.NamespaceReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Which cached blocks {@code sluice free PATH} drops (DESIGN §5 jobs): the blocks of every complete UFS-backed file
 * at or under the path; the UFS still has their bytes, so the next read reads them through again. Files whose data
 * is only in Sluice are counted and skipped. Needs search permission on the way (the walk) and write permission on
 * each file freed. Reads only: the caller drops the blocks from the workers (soft state).
 *
 * <p>Pinned files ({@link KeptFiles#pinned}: the file or a directory above it) are what an administrator asked to
 * keep cached: as Alluxio's free, freeing one fails (INVALID_ARGUMENT, nothing freed) unless forced. Forced, they
 * are freed and stay pinned, so what is read through again is kept again.
 */
public final class FreeOp {
  /** Directory entries read per page while walking: bounds memory for huge directories. */
  private static final int PAGE = 1000;

  /** The blocks to drop and the answer's counts. */
  public record Plan(List<Long> blockIds, FreeResponse counts) {}

  private FreeOp() {}

  /** @param reader a consistent view (a snapshot), since the walk reads many keys */
  public static Plan plan(NamespaceReader reader, String path, Caller caller) throws RpcException {
    return plan(reader, path, caller, false);
  }

  /** @param force free pinned files too */
  public static Plan plan(NamespaceReader reader, String path, Caller caller, boolean force) throws RpcException {
    KeptFiles kept = new KeptFiles(reader);
    InodeRecord top = PathResolver.resolve(reader, NamespacePath.parse(path), caller);
    List<Long> blocks = new ArrayList<>();
    long files = 0;
    long skipped = 0;
    Deque<InodeRecord> pending = new ArrayDeque<>();
    pending.push(top);
    while (!pending.isEmpty()) {
      InodeRecord inode = pending.pop();
      if (inode.getType() == FileType.DIRECTORY) {
        Permissions.check(caller, inode, Permissions.READ | Permissions.EXECUTE, "directory " + inode.getName());
        String after = "";
        List<NamespaceReader.Child> page;
        do {
          page = reader.children(inode.getId(), after, PAGE);
          for (NamespaceReader.Child c : page) {
            pending.push(PathResolver.inode(reader, c.id(), c.name()));
            after = c.name();
          }
        } while (page.size() == PAGE);
      } else if (inode.getType() == FileType.FILE) {
        if (inode.getMountId() == 0 || inode.getUfsFingerprint().isEmpty() || !inode.getComplete()) {
          skipped++;
          continue;
        }
        Permissions.check(caller, inode, Permissions.WRITE, "file " + inode.getName());
        if (!force && kept.pinned(inode)) {
          throw new RpcException(Status.INVALID_ARGUMENT, "cannot free " + path + ": file " + inode.getName()
              + (inode.getId() == top.getId() ? "" : " under it") + " is pinned (unpin it, or free with --force)");
        }
        files++;
        for (BlockMeta m : inode.getBlocksList()) {
          blocks.add(m.getBlockId());
        }
      }
    }
    return new Plan(blocks, FreeResponse.newBuilder().setFiles(files).setBlocks(blocks.size())
        .setSkippedFiles(skipped).build());
  }
}
