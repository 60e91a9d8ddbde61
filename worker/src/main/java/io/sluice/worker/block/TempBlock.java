package io.sluice.worker.block;

import io.netty.buffer.ByteBuf;
import io.sluice.common.checksum.ChunkChecksums;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A block being written to its temp file. Exactly one of {@link #commit()} or {@link #abort()} ends it; both
 * close the file, and abort deletes it (or, in a MEM directory, gives it to the pool). Used by one thread at a time
 * (a writer's event loop, or the UFS thread loading the block).
 *
 * <p>The file may be a reused one from the directory's {@link FilePool}: it is written from offset 0 over old bytes
 * and may be longer than what was written, until commit cuts it to {@link #length()}. So its size means nothing
 * before commit: every reader of a temp block reads at most {@link #length()} bytes.
 */
public final class TempBlock {
  private final BlockCommitter committer;
  private final StorageDir dir;
  private final long blockId;
  private final Path tmp;
  private final long maxLength;
  private final boolean reused;
  private final FileChannel channel;
  private final ChunkChecksums sums = new ChunkChecksums();
  private long length;
  private boolean readerOpened;
  private boolean ended;

  /** @param reused {@code tmp} is a pooled file to overwrite, not to be created */
  TempBlock(BlockCommitter committer, long blockId, StorageDir dir, Path tmp, long maxLength, boolean reused)
      throws IOException {
    this.committer = committer;
    this.dir = dir;
    this.blockId = blockId;
    this.tmp = tmp;
    this.maxLength = maxLength;
    this.reused = reused;
    // Never TRUNCATE_EXISTING: that would hand the reused pages back to the kernel, which is what reuse avoids.
    this.channel = reused ? FileChannel.open(tmp, StandardOpenOption.WRITE)
        : FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }

  public long blockId() {
    return blockId;
  }

  /** Bytes written so far. */
  public long length() {
    return length;
  }

  long maxLength() {
    return maxLength;
  }

  StorageDir dir() {
    return dir;
  }

  /** The temp file; renamed to the block's file by commit, deleted (or pooled) by abort. */
  public Path tmpPath() {
    return tmp;
  }

  /** Where commit renames the temp file when the block has {@code length} bytes: the same directory, always. */
  public Path committedPath(long length) {
    return dir.blockPath(blockId, length);
  }

  FileChannel channel() {
    return channel;
  }

  /** Whether the file may hold stale bytes past {@link #length()} (a reused file): commit must cut it. */
  boolean reused() {
    return reused;
  }

  /**
   * Appends {@code data}'s readable bytes (not consuming them), summing them for the block's checksums: for bytes
   * that arrive without any (read from the UFS).
   *
   * @throws RpcException INVALID_ARGUMENT past the block's maximum length, IO_ERROR (NO_SPACE for a full disk);
   *     either failure of the disk also fails the block's directory
   */
  public void append(ByteBuf data) throws RpcException {
    write(data);
    for (ByteBuffer b : data.nioBuffers()) {
      sums.update(b);
    }
  }

  /**
   * Appends {@code data}'s readable bytes (not consuming them) with the CRC32C of each of its chunks, which the
   * caller has checked against the bytes: a client's write. The block must be at a chunk boundary (only its last
   * piece may end inside a chunk).
   *
   * @throws RpcException as {@link #append(ByteBuf)}; INVALID_ARGUMENT when the block is not at a chunk boundary
   */
  public void append(ByteBuf data, List<Integer> chunkSums) throws RpcException {
    if (length % ChunkChecksums.CHUNK != 0) {
      throw new RpcException(Status.INVALID_ARGUMENT, "block " + blockId + ": data at offset " + length
          + ", inside a chunk: only a block's last piece may end inside a chunk");
    }
    write(data);
    int left = data.readableBytes();
    for (int sum : chunkSums) {
      int n = Math.min(left, ChunkChecksums.CHUNK);
      sums.add(sum, n);
      left -= n;
    }
  }

  private void write(ByteBuf data) throws RpcException {
    int n = data.readableBytes();
    if (length + n > maxLength) {
      throw new RpcException(Status.INVALID_ARGUMENT, "block " + blockId + ": " + (length + n)
          + " bytes exceed its maximum of " + maxLength);
    }
    try {
      for (ByteBuffer b : data.nioBuffers()) {
        while (b.hasRemaining()) {
          channel.write(b);
        }
      }
    } catch (java.nio.channels.ClosedByInterruptException e) {
      // The writing thread was interrupted (the worker shutting down its UFS loads): not the disk's fault, so the
      // directory is not marked failed.
      throw new RpcException(Status.UNAVAILABLE, "block " + blockId + ": write interrupted (worker stopping)", e);
    } catch (IOException e) {
      boolean full = String.valueOf(e.getMessage()).contains("No space left");
      committer.writeFailed(this, e);
      throw new RpcException(full ? Status.NO_SPACE : Status.IO_ERROR, "block " + blockId + ": write failed: "
          + e.getMessage(), e);
    }
    length += n;
  }

  /**
   * Opens the temp file for reading, so bytes appended so far can be read while the block is still being written.
   * The channel is the caller's to close; it stays readable after commit (the file is renamed, not copied) and
   * after abort (until closed), since it holds the file open: a block with a reader is never pooled on abort.
   * Read only {@code [0, length())}: the file's size is not the block's (a reused file is longer until commit).
   */
  public FileChannel openReader() throws IOException {
    FileChannel c = FileChannel.open(tmp, StandardOpenOption.READ);
    readerOpened = true;
    return c;
  }

  /** See {@link ChunkChecksums#copySums}; by the thread that appends. */
  public int copySums(int[] dst, int from, boolean withPartial) {
    return sums.copySums(dst, from, withPartial);
  }

  /** The CRC32C of every chunk written; ends the sums, so call once, when committing. */
  int[] finishChecksums() {
    return sums.finish();
  }

  /** Closes the file and makes the block visible under its id. On failure the temp file is removed. */
  public void commit() throws RpcException {
    commit(false, false);
  }

  /**
   * Like {@link #commit()}, and pins the block in the same step ({@link BlockStore#pin}): the block of a
   * Sluice-native file is the only copy of its data and must never be evictable, not even until the master pins it.
   */
  public void commitPinned() throws RpcException {
    commit(false, true);
  }

  /**
   * Like {@link #commit()}, and leases the committed block at once (so it cannot be evicted before a reader that
   * followed the write is done with it). The caller closes the lease.
   */
  public ReadLease commitAndLease() throws RpcException {
    return commit(true, false);
  }

  private ReadLease commit(boolean lease, boolean pin) throws RpcException {
    if (ended) {
      throw new IllegalStateException("block " + blockId + " already ended");
    }
    ended = true;
    try {
      return committer.commit(this, length, lease, pin);
    } catch (RpcException e) {
      deleteTmp();
      throw e;
    } finally {
      closeQuietly();
    }
  }

  /**
   * Abandons the write: closes the temp file and deletes it, or pools it when nobody else may read it (no
   * {@link #openReader} was opened). Idempotent.
   */
  public void abort() {
    if (ended) {
      return;
    }
    ended = true;
    long size = readerOpened ? -1 : sizeQuietly();
    closeQuietly();
    if (!committer.aborted(this, size)) {
      deleteTmp();
    }
  }

  /** The file's size, or -1 when unknown (then it is not pooled). */
  private long sizeQuietly() {
    try {
      return channel.size();
    } catch (IOException e) {
      return -1;
    }
  }

  private void deleteTmp() {
    try {
      Files.deleteIfExists(tmp);
    } catch (IOException ignored) {
      // The next start of the store deletes leftovers in tmp/.
    }
  }

  private void closeQuietly() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Nothing was lost: a committed block was already renamed, an aborted one is deleted.
    }
  }
}
