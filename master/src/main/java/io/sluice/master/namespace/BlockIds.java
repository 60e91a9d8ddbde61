package io.sluice.master.namespace;

/**
 * Block ids (DESIGN §3): the file's inode id in the high bits, the block's index in the file in the low
 * {@value #INDEX_BITS}. A block id so names its file, which lets a worker's report of an unknown block be checked
 * against the namespace with one read. A file has at most {@value #MAX_BLOCKS} blocks; inode ids stay below 2^43.
 */
public final class BlockIds {
  public static final int INDEX_BITS = 20;
  public static final int MAX_BLOCKS = 1 << INDEX_BITS;

  private BlockIds() {}

  /** The id of block {@code index} of file {@code fileId}. */
  public static long of(long fileId, int index) {
    if (index < 0 || index >= MAX_BLOCKS) {
      throw new IllegalArgumentException("block index out of range: " + index);
    }
    if (fileId <= 0 || fileId >= 1L << (63 - INDEX_BITS)) {
      throw new IllegalArgumentException("file id out of range: " + fileId);
    }
    return fileId << INDEX_BITS | index;
  }

  public static long fileId(long blockId) {
    return blockId >>> INDEX_BITS;
  }

  public static int index(long blockId) {
    return (int) (blockId & (MAX_BLOCKS - 1));
  }
}
