package io.sluice.common.checksum;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The CRC32Cs of a block's {@value #CHUNK}-byte chunks (DESIGN §5): computed once where the bytes enter Sluice,
 * stored beside the block, sent with every frame that carries its bytes and verified by whoever reads them. The
 * grid starts at the block's first byte; only the last chunk may be short. Built incrementally, so data may arrive
 * in pieces of any size; one instance per block, one thread at a time.
 */
public final class ChunkChecksums {
  /**
   * Bytes per checksummed chunk: the unit a reader must read whole to verify what it reads. Small, because a random
   * read of a few KiB reads and sums the whole chunk it falls in; the per-chunk cost (4 bytes of sum, a CRC call)
   * stays negligible. Workers store the sums in this grid; sums stored by a worker with another chunk size are
   * converted when loaded (the worker's {@code BlockSums}).
   */
  public static final int CHUNK = 16 * 1024;

  private final CRC32C crc = new CRC32C();
  private int[] sums = new int[16];
  private int complete;
  /** Bytes of the chunk being summed, 0 between chunks. */
  private int partial;

  /** Set once a short chunk was added by {@link #add(int, int)}: it must be the block's last. */
  private boolean shortChunkAdded;

  /** Adds {@code data}'s remaining bytes (consuming them) to the block's end. */
  public void update(ByteBuffer data) {
    if (data.hasRemaining() && shortChunkAdded) {
      throw new IllegalStateException("data after the block's short last chunk");
    }
    while (data.hasRemaining()) {
      int n = Math.min(CHUNK - partial, data.remaining());
      int limit = data.limit();
      data.limit(data.position() + n);
      crc.update(data);
      data.limit(limit);
      partial += n;
      if (partial == CHUNK) {
        add((int) crc.getValue());
        crc.reset();
        partial = 0;
      }
    }
  }

  /**
   * Adds a chunk of {@code length} bytes whose sum the caller already has (and verified against the bytes), so the
   * bytes need not be summed twice. The block must be at a chunk boundary; a short chunk must be its last.
   */
  public void add(int sum, int length) {
    if (partial != 0 || shortChunkAdded || length <= 0 || length > CHUNK) {
      throw new IllegalStateException("a known sum of " + length + " bytes after " + complete + " chunks and "
          + partial + " bytes");
    }
    add(sum);
    shortChunkAdded = length < CHUNK;
  }

  private void add(int sum) {
    if (complete == sums.length) {
      sums = Arrays.copyOf(sums, sums.length * 2);
    }
    sums[complete++] = sum;
  }

  /** Ends the block: a short last chunk gets its sum. Returns every chunk's sum, in order. */
  public int[] finish() {
    if (partial > 0) {
      add((int) crc.getValue());
      crc.reset();
      partial = 0;
    }
    return Arrays.copyOf(sums, complete);
  }

  /**
   * Copies the sums of the chunks complete so far, from chunk {@code from} on, to the same indexes of {@code dst},
   * without ending anything; with {@code withPartial} also the sum of the bytes of the chunk begun so far: pass it
   * only once no more bytes come (the block's end), since that sum is final only then and a later call would not
   * copy the chunk again. For a reader following a block being written.
   *
   * @return how many sums {@code dst} now holds from its start
   */
  public int copySums(int[] dst, int from, boolean withPartial) {
    if (from < complete) {
      System.arraycopy(sums, from, dst, from, complete - from);
    }
    if (withPartial && partial > 0) {
      dst[complete] = (int) crc.getValue();
      return complete + 1;
    }
    return complete;
  }

  /** How many chunks a block of {@code length} bytes has. */
  public static int chunks(long length) {
    return (int) ((length + CHUNK - 1) / CHUNK);
  }

  /**
   * The sums of the chunks covering {@code [offset, offset + length)} of a block ({@code offset} on a chunk
   * boundary), as a frame header carries them.
   */
  public static List<Integer> range(int[] sums, long offset, long length) {
    int from = (int) (offset / CHUNK);
    int to = (int) ((offset + length + CHUNK - 1) / CHUNK);
    List<Integer> out = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      out.add(sums[i]);
    }
    return out;
  }

  /** The CRC32C of each chunk of {@code data} (a whole number of chunks from a chunk boundary, or a block's end). */
  public static int[] of(ByteBuffer data) {
    ChunkChecksums c = new ChunkChecksums();
    c.update(data.duplicate());
    return c.finish();
  }

  /** Like {@link #of(ByteBuffer)}, as a frame header takes them. */
  public static List<Integer> list(ByteBuffer data) {
    int[] sums = of(data);
    List<Integer> out = new ArrayList<>(sums.length);
    for (int s : sums) {
      out.add(s);
    }
    return out;
  }

  /**
   * Checks {@code b[index, index + len)} (absolute indexes; the buffer's position and limit are not used or moved),
   * which starts on the chunk boundary {@code firstChunk}, against {@code sums}. Heap or direct: a direct buffer is
   * checked where it lies, without a copy.
   *
   * @return the block offset of the first chunk that does not match, or -1 when all match
   */
  public static long firstMismatch(ByteBuffer b, int index, int len, int[] sums, int firstChunk) {
    CRC32C c = new CRC32C();
    ByteBuffer d = b.duplicate().clear();
    for (int at = 0, i = firstChunk; at < len; at += CHUNK, i++) {
      c.reset();
      d.limit(index + Math.min(len, at + CHUNK)).position(index + at);
      c.update(d);
      if (i >= sums.length || (int) c.getValue() != sums[i]) {
        return (long) i * CHUNK;
      }
    }
    return -1;
  }

  /**
   * Checks the bytes of {@code pieces}, in order (not consumed; one frame's data, which a buffer of several
   * components gives as several pieces, so a chunk may span pieces), whole chunks but the last, against
   * {@code sums}, one per chunk, as a frame carries them.
   *
   * @return the offset in the data of the first chunk that does not match or has no sum, or -1 when all match and
   *     there is no sum too many
   */
  public static long firstMismatch(List<Integer> sums, ByteBuffer... pieces) {
    CRC32C c = new CRC32C();
    int chunk = 0;
    int inChunk = 0;
    for (ByteBuffer piece : pieces) {
      ByteBuffer d = piece.duplicate();
      while (d.hasRemaining()) {
        int n = Math.min(CHUNK - inChunk, d.remaining());
        int limit = d.limit();
        d.limit(d.position() + n);
        c.update(d);
        d.limit(limit);
        inChunk += n;
        if (inChunk == CHUNK) {
          if (chunk >= sums.size() || (int) c.getValue() != sums.get(chunk)) {
            return (long) chunk * CHUNK;
          }
          c.reset();
          chunk++;
          inChunk = 0;
        }
      }
    }
    if (inChunk > 0) {
      if (chunk >= sums.size() || (int) c.getValue() != sums.get(chunk)) {
        return (long) chunk * CHUNK;
      }
      chunk++;
    }
    return chunk == sums.size() ? -1 : (long) chunk * CHUNK;
  }
}
