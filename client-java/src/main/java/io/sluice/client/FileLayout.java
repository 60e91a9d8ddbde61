package io.sluice.client;

import io.sluice.common.proto.BlockInfo;
import java.util.List;

/**
 * Where each block of a file starts, so a file offset maps to (block, offset in block) by binary search.
 * Immutable, so positioned reads on many threads share it.
 */
final class FileLayout {
  private final BlockInfo[] blocks;
  private final long[] starts;
  private final long length;

  /** @param length the file's length; bytes past the blocks' total are not readable */
  FileLayout(List<BlockInfo> blocks, long length) {
    this.blocks = blocks.toArray(new BlockInfo[0]);
    this.starts = new long[this.blocks.length];
    long at = 0;
    for (int i = 0; i < this.blocks.length; i++) {
      starts[i] = at;
      at += this.blocks[i].getLength();
    }
    this.length = Math.min(length, at);
  }

  /** Readable bytes: the file's length, capped by what its blocks hold. */
  long length() {
    return length;
  }

  /** Index of the block holding file offset {@code pos}, which must be in {@code [0, length())}. */
  int blockAt(long pos) {
    int lo = 0;
    int hi = blocks.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= pos) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    // Skip empty blocks that start at pos (a zero-length block holds nothing).
    while (blocks[lo].getLength() == 0 || pos >= starts[lo] + blocks[lo].getLength()) {
      lo++;
    }
    return lo;
  }

  int blockCount() {
    return blocks.length;
  }

  BlockInfo block(int index) {
    return blocks[index];
  }

  long start(int index) {
    return starts[index];
  }
}
