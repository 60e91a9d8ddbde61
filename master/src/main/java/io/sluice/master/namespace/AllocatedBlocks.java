package io.sluice.master.namespace;

import io.sluice.common.proto.FileType;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.store.NamespaceReader;
import java.util.Optional;

/** Whether a block id belongs to a file of the namespace, for checking what workers report. */
public final class AllocatedBlocks {
  private AllocatedBlocks() {}

  /**
   * True when the block's file (named by the id, see {@link BlockIds}) exists and has allocated this block. A
   * block a worker holds that is not allocated belongs to a deleted or overwritten file, or to an abandoned
   * attempt, and can be removed.
   */
  public static boolean isAllocated(NamespaceReader reader, long blockId) {
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
