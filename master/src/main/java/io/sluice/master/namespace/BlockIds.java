package io.sluice.master.namespace;

/**
 * Block ids (DESIGN §3). A block as first written: the file's inode id in the high bits, the block's index in the
 * file in the low {@value #INDEX_BITS}, so the id names its file and a worker's report of an unknown block is
 * checked against the namespace with one read. A file has at most {@value #MAX_BLOCKS} blocks; inode ids stay below
 * 2^42, so these ids stay below 2^62.
 *
 * <p>A block version (a block rewritten by a random write, truncate or append) cannot reuse its file's ids: the old
 * block may still sit on a worker when the new one is written. Its id is {@link #VERSION_BIT} plus an id taken from
 * the inode counter (never reused, never an inode), and column family {@code versions} names its file.
 */
public final class BlockIds {
  public static final int INDEX_BITS = 20;
  public static final int MAX_BLOCKS = 1 << INDEX_BITS;
  /** Set in the ids of block versions, clear in the ids of blocks as first written. */
  public static final long VERSION_BIT = 1L << 62;
  private static final long MAX_FILE_ID = 1L << (62 - INDEX_BITS);

  private BlockIds() {}

  /** The id of block {@code index} of file {@code fileId}, as first written. */
  public static long of(long fileId, int index) {
    if (index < 0 || index >= MAX_BLOCKS) {
      throw new IllegalArgumentException("block index out of range: " + index);
    }
    if (fileId <= 0 || fileId >= MAX_FILE_ID) {
      throw new IllegalArgumentException("file id out of range: " + fileId);
    }
    return fileId << INDEX_BITS | index;
  }

  /** The id of a block version made from {@code counterId}, an id of the inode counter used for nothing else. */
  public static long version(long counterId) {
    if (counterId <= 0 || counterId >= MAX_FILE_ID) {
      throw new IllegalArgumentException("id out of range: " + counterId);
    }
    return VERSION_BIT | counterId;
  }

  public static boolean isVersion(long blockId) {
    return (blockId & VERSION_BIT) != 0;
  }

  /** The inode counter id a version's id was made from. */
  public static long counterId(long versionId) {
    return versionId & ~VERSION_BIT;
  }

  /** The file of a block as first written (not meaningful for a version). */
  public static long fileId(long blockId) {
    return blockId >>> INDEX_BITS;
  }

  public static int index(long blockId) {
    return (int) (blockId & (MAX_BLOCKS - 1));
  }
}
