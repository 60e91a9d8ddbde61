package io.sluice.master.namespace;

import io.sluice.common.proto.FileType;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.proto.VersionRecord;
import io.sluice.master.store.NamespaceReader;
import java.util.Optional;

/** Whether a block id belongs to a file of the namespace, for checking what workers report. */
public final class AllocatedBlocks {
  private AllocatedBlocks() {}

  /**
   * True when the block's file exists and has allocated this block (see {@link BlockIds} for how the id names its
   * file), or the block is a version allocated for a change not yet committed. A block a worker holds that is not
   * allocated belongs to a deleted or overwritten file, a replaced version, or an abandoned attempt, and can be
   * removed.
   */
  public static boolean isAllocated(NamespaceReader reader, long blockId) {
    return isAllocated(reader, blockId, Long.MIN_VALUE);
  }

  /**
   * As {@link #isAllocated(NamespaceReader, long)}, except that a version allocated before {@code pendingSinceMs}
   * and still not in its file counts as abandoned: its writer commits within seconds of allocating it (minutes for a
   * streamed rewrite, see {@code MasterKeys.BLOCK_VERSION_PENDING_EXPIRY}), so one this old belongs to a writer that
   * died, and a worker reporting it may drop it.
   */
  public static boolean isAllocated(NamespaceReader reader, long blockId, long pendingSinceMs) {
    if (BlockIds.isVersion(blockId)) {
      Optional<VersionRecord> v = reader.version(blockId);
      if (v.isEmpty()) {
        return false;
      }
      Optional<InodeRecord> file = reader.inode(v.get().getFileId()).filter(f -> f.getType() == FileType.FILE);
      if (file.isEmpty()) {
        return false;
      }
      int index = v.get().getIndex();
      boolean inFile = index < file.get().getBlocksCount() && file.get().getBlocks(index).getBlockId() == blockId;
      return inFile || v.get().getAllocatedMs() >= pendingSinceMs;
    }
    long fileId = BlockIds.fileId(blockId);
    if (fileId == 0) {
      return false;
    }
    Optional<InodeRecord> file = reader.inode(fileId);
    int index = BlockIds.index(blockId);
    return file.isPresent() && file.get().getType() == FileType.FILE && index < file.get().getBlocksCount()
        && file.get().getBlocks(index).getBlockId() == blockId;
  }
}
