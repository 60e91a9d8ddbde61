package io.sluice.client;

import io.netty.buffer.ByteBuf;
import io.sluice.client.block.BlockWriter;
import io.sluice.common.proto.BlockInfo;
import io.sluice.common.proto.BlockMeta;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a new file, block by block: for each block ADD_BLOCK (the master places it; the create placed the first
 * one already, unless no worker was live then), then a WRITE_BLOCK stream
 * to the pipeline's first worker carrying chunks with their CRC32C, then the worker's commit; {@link #close()}
 * commits the last block and completes the file with its length and block list. The file becomes visible with its
 * content only when close succeeds (close-to-open consistency); {@link #flush()} does not make data visible.
 *
 * <p>Bytes are gathered into a buffer of one chunk (never crossing a block boundary) from the client's
 * {@link io.sluice.client.block.WriteChunkPool}, whose ownership passes to the RPC layer when it is sent; the next
 * chunk reuses a buffer already sent, so steady writing neither allocates nor touches new memory.
 *
 * <p>Any failure (the first worker of a block's pipeline, the master) fails the stream: that write throws, later
 * writes throw, close throws and does not complete the file, so a failed write never leaves a silently short file.
 * When the worker a new block was placed on cannot be reached, the client asks the master for another placement,
 * excluding it. A worker further down the pipeline that fails only costs the block a replica ({@link BlockWriter}).
 *
 * <p>A file under a mount is written through (DESIGN §4): each chunk also goes to a UFS stream, closed before the
 * file completes; any failure aborts it, so the UFS keeps what it had.
 *
 * <p>Not thread-safe: one writer at a time.
 */
public final class SluiceOutputStream extends OutputStream {
  /** How many placements to try for one block when its first worker cannot be reached. */
  private static final int PLACEMENT_ATTEMPTS = 3;
  private static final Logger LOG = LoggerFactory.getLogger(SluiceOutputStream.class);

  private final StreamContext ctx;
  private final String path;
  /** The status the master answered the create with. */
  private final FileInfo created;
  private final long fileId;
  private final long blockSize;
  /** A Sluice-native file: the workers hold the only copy of its blocks, so they pin them at commit. */
  private final boolean pinBlocks;
  private final List<BlockMeta> blocks = new ArrayList<>();
  private BlockWriter writer;
  private ByteBuf chunk;
  private long length;
  private boolean closed;
  private IOException failure;
  /** Set for a file under a mount: the UFS copy every chunk also goes to. */
  private final UfsWriteThrough ufs;
  /** Whether the master was told this stream is about to close ({@link #closing}), not taken back since. */
  private boolean closingSaid;
  /** The first block as the create placed it, until the first block starts; null: ask ADD_BLOCK. */
  private BlockInfo placedFirst;
  /** When the create placed it (System.nanoTime()); the placement is used up to FIRST_BLOCK_MAX_AGE after. */
  private final long placedNanos = System.nanoTime();

  /**
   * @param ufs the UFS write of a file under a mount, else null; the stream owns it
   * @param placedFirst block 0, allocated and placed by the create, or null
   */
  SluiceOutputStream(StreamContext ctx, String path, FileInfo info, long blockSize, UfsWriteThrough ufs,
      BlockInfo placedFirst) {
    this.placedFirst = placedFirst;
    this.ctx = ctx;
    this.path = path;
    this.created = info;
    this.fileId = info.getId();
    this.pinBlocks = info.getMountId() == 0;
    this.blockSize = blockSize;
    this.ufs = ufs;
  }

  /** The file's path. */
  public String path() {
    return path;
  }

  /**
   * The file's status as the master answered its creation: incomplete, length 0. Until {@link #close} completes the
   * file only this stream writes it, so that stays its status but for the length ({@link #length}), unless someone
   * changes its attributes meanwhile.
   */
  public FileInfo createdStatus() {
    return created;
  }

  /** Bytes written so far. */
  public long length() {
    return length;
  }

  @Override
  public void write(int b) throws IOException {
    if (closingSaid) {
      takeBackClosing();
    }
    ensureChunk();
    chunk.writeByte(b);
    length++;
    if (!chunk.isWritable()) {
      sendChunk();
    }
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (closingSaid && len > 0) {
      takeBackClosing();
    }
    while (len > 0) {
      ensureChunk();
      int n = Math.min(len, chunk.writableBytes());
      chunk.writeBytes(b, off, n);
      off += n;
      len -= n;
      length += n;
      if (!chunk.isWritable()) {
        sendChunk();
      }
    }
  }

  /**
   * Checks the stream is usable. Buffered bytes stay buffered until a chunk fills or the stream closes: sending a
   * partial chunk would not make it visible to readers anyway (see the class comment).
   */
  @Override
  public void flush() throws IOException {
    ensureOpen();
  }

  /**
   * Tells the master that {@link #close} follows shortly, for a caller whose own close returns before it (a FUSE
   * mount answers close(2) at FLUSH and completes the file at the RELEASE the kernel sends after): until then, reads
   * of the file on the master wait for its completion, so a reader that opens it after the caller's close, anywhere,
   * reads all of it (FileClosingRequest; bounded by {@code sluice.master.close.wait}). A write after this takes it
   * back first, so that readers do not wait for a close that is not coming (a descriptor inherited by another
   * process flushes at every close of a copy). Once per close: a second call before a write asks nothing. Reads by
   * this client itself are not held, nor by any client with such closes of its own outstanding.
   *
   * @throws IOException when the stream failed, or the master could not be told (readers then do not wait)
   */
  public void closing() throws IOException {
    ensureOpen();
    if (!closingSaid) {
      // Set first: a call that timed out may still have reached the master, and then a later write must take it
      // back. Taking back what the master never got costs nothing.
      closingSaid = true;
      ctx.master().fileClosing(fileId, path, true);
    }
  }

  /**
   * A write follows {@link #closing}: readers waiting for the completion go on. A failure to say so only costs them
   * the rest of the master's wait, so it does not fail the write.
   */
  private void takeBackClosing() {
    closingSaid = false;
    try {
      ctx.master().fileClosing(fileId, path, false);
    } catch (RpcException | RuntimeException e) {
      LOG.debug("{}: could not take back the closing announced: {}", path, e.toString());
    }
  }

  /** Commits the last block and completes the file. Idempotent; throws the stream's failure the first time. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (failure != null) {
      throw new IOException(path + ": not completed, the stream failed: " + failure.getMessage(), failure);
    }
    try {
      if (chunk != null && chunk.isReadable()) {
        sendChunk();
      }
      if (writer != null) {
        finishBlock();
      }
      // Under a mount the UFS file appears first; the Sluice file completes with the fingerprint it then has.
      String fingerprint = ufs == null ? "" : ufs.close();
      ctx.master().completeFile(fileId, path, blocks, length, fingerprint);
    } catch (IOException | RuntimeException e) {
      if (closingSaid) {
        takeBackClosing();  // readers elsewhere need not wait the master's bound for a completion not coming
      }
      throw fail(e);
    } finally {
      releaseChunk();
    }
  }

  private void ensureOpen() throws IOException {
    if (failure != null) {
      throw new IOException(path + ": the stream failed earlier: " + failure.getMessage(), failure);
    }
    if (closed) {
      throw new IOException(path + ": stream closed");
    }
  }

  /** Makes sure there is room for at least one byte: a chunk sized to stop at the block's end. */
  private void ensureChunk() throws IOException {
    if (chunk != null) {
      return;
    }
    ensureOpen();
    try {
      if (writer == null) {
        startBlock();
      }
      int size = (int) Math.min(ctx.settings().writeChunkSize(), blockSize - writer.written());
      chunk = ctx.writeChunks().acquire(size);
    } catch (IOException | RuntimeException e) {
      throw fail(e);
    }
  }

  /** Hands the chunk to the block's stream (which takes it) and finishes the block when it is full. */
  private void sendChunk() throws IOException {
    ByteBuf c = chunk;
    chunk = null;
    try {
      if (ufs != null) {
        ufs.write(c);
      }
      writer.write(c);
      if (writer.written() == blockSize) {
        finishBlock();
      }
    } catch (IOException | RuntimeException e) {
      throw fail(e);
    }
  }

  /**
   * Asks the master for the next block (the first one the create placed already) and opens its write stream,
   * excluding workers that can't be reached.
   */
  /** Whether the create's placement is recent enough to trust (ClientKeys.FIRST_BLOCK_MAX_AGE). */
  private boolean placementFresh() {
    return System.nanoTime() - placedNanos <= ctx.settings().firstBlockMaxAge().toNanos();
  }

  private void startBlock() throws RpcException {
    List<Long> excluded = new ArrayList<>();
    for (int attempt = 1; ; attempt++) {
      BlockInfo block = placedFirst != null && placementFresh() ? placedFirst
          : ctx.master().addBlock(fileId, path, blocks, ctx.clientHost(), excluded);
      placedFirst = null;
      try {
        writer = BlockWriter.open(ctx.workers(), block, blockSize, path, pinBlocks);
        return;
      } catch (RpcException e) {
        if (e.status() != Status.UNAVAILABLE || attempt == PLACEMENT_ATTEMPTS) {
          throw new RpcException(e.status(), path + ": cannot write block " + block.getBlockId() + " after "
              + attempt + " placement(s): " + e.getMessage(), e);
        }
        excluded.add(block.getLocations(0).getWorkerId());
      }
    }
  }

  private void finishBlock() throws RpcException {
    BlockWriter w = writer;
    long committed = w.finish();
    writer = null;
    blocks.add(BlockMeta.newBuilder().setBlockId(w.blockId()).setLength(committed).build());
  }

  /** Marks the stream failed, abandoning the block in progress; returns the failure to throw. */
  private IOException fail(Exception e) {
    if (failure == null) {
      failure = e instanceof IOException io ? io : new IOException(path + ": " + e, e);
    }
    if (writer != null) {
      writer.abort();
      writer = null;
    }
    if (ufs != null) {
      ufs.abort();
    }
    releaseChunk();
    return failure;
  }

  private void releaseChunk() {
    if (chunk != null) {
      chunk.release();
      chunk = null;
    }
  }
}
