package io.sluice.client;

import io.sluice.client.block.BlockReader;
import io.sluice.client.block.ColdReadAhead;
import io.sluice.client.block.LocalBlockRange;
import io.sluice.common.proto.BlockInfo;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.GetBlockLocationsResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;

/**
 * Reads a file whose block locations were fetched when it was opened (GET_BLOCK_LOCATIONS; they are not
 * refreshed, so a long-open stream sees the file as it was then). One exception: when a worker says a UFS-backed
 * file changed since it was listed (STALE) before this stream returned any byte, a sequential read lists the file
 * again, once, and continues with the new content; after a byte was returned, the new content could not be
 * stitched to the old, so the read fails with STALE and the file must be opened again.
 *
 * <p>Sequential reads keep one block stream open from the current position to the end of its block, with the
 * worker sending ahead up to the read window (see {@code ClientKeys.READ_WINDOW}); moving to the next block opens
 * the next stream. A {@link #seek} is lazy: the next read continues the open stream when the target is the current
 * position or a little ahead inside what is already buffered, or anywhere in the block for a short-circuit read
 * (the block's file is here), and otherwise cancels it and opens one at the target. A jump to another block sets
 * a short-circuit reader aside instead of closing it (up to {@value #MAX_PARKED} of them, each holding a lease and an
 * open file), so random reads across a file's blocks do not ask the worker for a lease each time; a stream that
 * only ever read on in order closes each block's reader as before.
 *
 * <p>Positioned reads ({@link #read(long, byte[], int, int)}, {@link #readFully(long, byte[], int, int)}) open
 * their own streams for exactly the range asked, so they neither move the position nor disturb read-ahead, and
 * any number of threads may run them at once. The sequential methods are synchronized.
 *
 * <p>A block none of whose workers can serve it fails the read with the error naming the block (UNAVAILABLE when
 * none could be reached), unless it is a block of a UFS-backed file and no worker could be reached: then it is read
 * from the UFS directly (fall-through, see {@code UfsFallThrough}). A file changed in the UFS since it was opened
 * fails with STALE. Each wait for data is bounded by the RPC call timeout. {@link #close()} releases every
 * buffered frame.
 */
public final class SluiceInputStream extends InputStream {
  /** Short-circuit readers set aside for jumps back to their blocks: a 2 GiB file of 64 MiB blocks. */
  private static final int MAX_PARKED = 32;
  private final StreamContext ctx;
  private final String path;
  // Replaced only by the one re-listing after STALE, under this stream's monitor, before any byte was returned.
  private volatile FileInfo info;
  private volatile FileLayout layout;
  private final byte[] oneByte = new byte[1];
  private long pos;
  /** The sequential stream, or null; {@code readerBlock} is its block index. */
  private BlockReader reader;
  private int readerBlock = -1;
  /** Short-circuit readers set aside by jumps, by block index, least recently used first. */
  private final LinkedHashMap<Integer, BlockReader> parked = new LinkedHashMap<>(16, 0.75f, true);
  /** Whether a read ever went elsewhere than where the last one ended: only then are readers parked. */
  private boolean jumped;
  private volatile boolean closed;
  /** Whether any read returned bytes: from then on the listing is never replaced. */
  private volatile boolean delivered;
  private boolean relisted;

  SluiceInputStream(StreamContext ctx, String path, FileInfo info, List<BlockInfo> blocks) {
    this.ctx = ctx;
    this.path = path;
    this.info = info;
    this.layout = new FileLayout(blocks, info.getLength());
  }

  /** The file as listed when opened (or re-listed after STALE, see above). */
  public FileInfo fileInfo() {
    return info;
  }

  /** Readable length: the file's length when opened. */
  public long length() {
    return layout.length();
  }

  public synchronized long getPos() {
    return pos;
  }

  /**
   * Moves the position; the next sequential read starts there.
   *
   * @throws EOFException when {@code target} is negative or past the end of the file
   */
  public synchronized void seek(long target) throws IOException {
    ensureOpen();
    if (target < 0 || target > layout.length()) {
      throw new EOFException(path + ": cannot seek to " + target + " in a file of " + layout.length() + " bytes");
    }
    pos = target;
  }

  @Override
  public synchronized int read() throws IOException {
    int n = read(oneByte, 0, 1);
    return n < 0 ? -1 : oneByte[0] & 0xff;
  }

  /** Reads up to {@code len} bytes, at most to the end of the current block; -1 at the end of the file. */
  @Override
  public synchronized int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    return read(ByteBuffer.wrap(b, off, len));
  }

  /**
   * Reads up to {@code dst.remaining()} bytes into {@code dst}, at most to the end of the current block, advancing
   * its position; -1 at the end of the file. A direct buffer (native memory, such as a FUSE request's) is filled
   * from a block file on this host without a copy through the Java heap.
   */
  public synchronized int read(ByteBuffer dst) throws IOException {
    ensureOpen();
    if (!dst.hasRemaining()) {
      return 0;
    }
    if (pos >= layout.length()) {
      return -1;
    }
    int n;
    while (true) {
      BlockReader r = readerAtPos();
      try {
        n = r.read(dst);
        break;
      } catch (IOException e) {
        retryOrThrow(e);
      }
    }
    if (n < 0) {
      // The reader covers its block to the end, so it can only be exhausted when pos is past that block.
      throw new IllegalStateException(path + ": block reader ended before position " + pos);
    }
    pos += n;
    delivered = true;
    return n;
  }

  /**
   * Names the next {@code max} bytes, or those to the end of the file if fewer, where they lie in a block file on
   * this host instead of reading them, and moves this stream's position past them; for a caller that hands file
   * ranges on (a FUSE reply the kernel splices from the file). Only when they all lie in one block read
   * short-circuit without being checked ({@code sluice.user.short.circuit.skip.checksum}: a named byte never reaches
   * this process, so it cannot be checked). Else, and at the end of the file, null, the position stays, and
   * {@link #read(ByteBuffer)} serves them, in order as ever.
   *
   * <p>The range is this stream's to use until its next call: moving on to another block, or closing, may end the
   * lease under it, after which the worker may reuse the file for another block; {@link LocalBlockRange#hold},
   * called before that next call, keeps the lease until released.
   */
  public synchronized LocalBlockRange readLocal(int max) throws IOException {
    ensureOpen();
    int want = (int) Math.min(max, layout.length() - pos);
    if (want <= 0) {
      return null;
    }
    LocalBlockRange r;
    while (true) {
      BlockReader reader = readerAtPos();
      try {
        r = reader.readLocal(want);
        break;
      } catch (IOException e) {
        retryOrThrow(e);
      }
    }
    if (r != null) {
      pos += r.length();
      delivered = true;
    }
    return r;
  }

  /** After a reader failed: returns when the read may be tried again on a new listing (see below), else throws. */
  private void retryOrThrow(IOException e) throws IOException {
    closeReader();
    if (!(e instanceof RpcException re && re.status() == Status.STALE && relistAfterStale())) {
      throw e;
    }
  }

  /**
   * Lists the file again after a worker said it changed in the UFS, unless a byte was already returned or this was
   * done before.
   *
   * @return whether the new listing is in place and the read may be retried
   */
  private boolean relistAfterStale() throws RpcException {
    if (delivered || relisted) {
      return false;
    }
    relisted = true;
    GetBlockLocationsResponse r = ctx.master().getBlockLocations(path, ctx.clientHost(), true);
    if (r.getInfo().getType() != FileType.FILE || pos >= r.getInfo().getLength()) {
      return false; // replaced by a directory, or shrunk below a seek: the caller's STALE says it best
    }
    info = r.getInfo();
    layout = new FileLayout(r.getBlocksList(), info.getLength());
    return true;
  }

  @Override
  public synchronized long skip(long n) throws IOException {
    ensureOpen();
    if (n <= 0) {
      return 0;
    }
    long k = Math.min(n, layout.length() - pos);
    pos += k;
    return k;
  }

  /** Bytes that can be read now without waiting for a worker. */
  @Override
  public synchronized int available() throws IOException {
    ensureOpen();
    if (reader == null || readerBlock < 0 || layout.start(readerBlock) + reader.position() != pos) {
      return 0;
    }
    return (int) Math.min(Integer.MAX_VALUE, reader.buffered());
  }

  /**
   * Reads up to {@code len} bytes at file offset {@code position} without moving this stream's position.
   * Thread-safe.
   *
   * @return bytes read ({@code len}, or fewer only at the end of the file); -1 when {@code position} is at or past
   *     the end
   */
  public int read(long position, byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    ensureOpen();
    FileLayout layout = this.layout; // one listing for the whole call
    if (position < 0) {
      throw new EOFException(path + ": negative position " + position);
    }
    if (position >= layout.length()) {
      return len == 0 ? 0 : -1;
    }
    int total = (int) Math.min(len, layout.length() - position);
    int done = 0;
    while (done < total) {
      long at = position + done;
      int index = layout.blockAt(at);
      BlockInfo block = layout.block(index);
      long inBlock = at - layout.start(index);
      int n = (int) Math.min(total - done, block.getLength() - inBlock);
      try (BlockReader r = BlockReader.open(ctx.workers(), ctx.fallThrough(), block, inBlock, n, ctx.read(), path)) {
        r.readFully(b, off + done, n);
      }
      done += n;
    }
    delivered = true;
    return total;
  }

  /**
   * Reads exactly {@code len} bytes at file offset {@code position} without moving this stream's position.
   *
   * @throws EOFException when the file ends before {@code position + len}
   */
  public void readFully(long position, byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (position < 0 || position + len > layout.length()) {
      throw new EOFException(path + ": cannot read " + len + " bytes at " + position + " in a file of "
          + layout.length() + " bytes");
    }
    read(position, b, off, len);
  }

  /** Stops any read-ahead and releases what it buffered. Idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    closeReader();
  }

  /**
   * The sequential reader positioned at {@code pos}: the open one if it is there or can get there from its
   * buffer, else a new one from {@code pos} to the end of its block.
   */
  private BlockReader readerAtPos() throws IOException {
    int index = layout.blockAt(pos);
    long want = pos - layout.start(index);
    if (reader != null && !(readerBlock == index ? reader.position() == want : index == readerBlock + 1 && want == 0)) {
      jumped = true;
    }
    if (reader != null && readerBlock == index && moveTo(reader, want)) {
      return reader;
    }
    setAside();
    BlockReader p = parked.remove(index);
    if (p != null) {
      if (moveTo(p, want)) {
        reader = p;
        readerBlock = index;
        return reader;
      }
      p.close();
    }
    BlockInfo block = layout.block(index);
    if (want == 0 && index + 1 < layout.blockCount()) {
      // Reading on from a block's start: have the next block loaded meanwhile, if it is cold (a seek elsewhere is
      // not a sequential read and starts nothing). Asked before this block is opened, since opening a cold block
      // may wait for its whole load: asked after, the next load would only start once this one ended.
      ColdReadAhead.start(ctx.workers(), layout.block(index + 1), ctx.read());
    }
    reader = BlockReader.open(ctx.workers(), ctx.fallThrough(), block, want, block.getLength() - want, ctx.read(),
        path);
    readerBlock = index;
    return reader;
  }

  /**
   * Brings {@code r} to {@code target} without reopening: forward within what it buffered, or anywhere in its block
   * for a short-circuit read; false when it cannot.
   */
  private static boolean moveTo(BlockReader r, long target) throws IOException {
    long ahead = target - r.position();
    return ahead == 0 || (ahead > 0 && ahead <= r.buffered() && r.skipBuffered(ahead) == ahead)
        || (ahead < 0 && r.rewind(target));
  }

  /**
   * Lets go of the current reader: once this stream has jumped, a short-circuit reader is parked (the least recently
   * used parked one closed beyond {@value #MAX_PARKED}); otherwise, or for a remote reader, it is closed: a
   * sequential read never comes back, and a remote stream cannot go back.
   */
  private void setAside() {
    if (reader == null) {
      return;
    }
    if (reader.local() && jumped) {
      BlockReader old = parked.put(readerBlock, reader);
      if (old != null) {
        old.close();
      }
      if (parked.size() > MAX_PARKED) {
        Iterator<BlockReader> eldest = parked.values().iterator();
        eldest.next().close();
        eldest.remove();
      }
    } else {
      reader.close();
    }
    reader = null;
    readerBlock = -1;
  }

  /** Closes the current reader and every parked one (an error, a new listing, the end). */
  private void closeReader() {
    if (reader != null) {
      reader.close();
      reader = null;
      readerBlock = -1;
    }
    parked.values().forEach(BlockReader::close);
    parked.clear();
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException(path + ": stream closed");
    }
  }
}
