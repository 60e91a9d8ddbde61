package io.sluice.worker.block;

import io.netty.buffer.ByteBuf;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A block being written to its temp file. Exactly one of {@link #commit()} or {@link #abort()} ends it; both
 * close the file, and abort deletes it. Used by one thread at a time (a writer's event loop, or the UFS thread
 * loading the block).
 */
public final class TempBlock {
  private final BlockStore store;
  private final StorageDir dir;
  private final long blockId;
  private final Path tmp;
  private final long maxLength;
  private final FileChannel channel;
  private long length;
  private boolean ended;

  TempBlock(BlockStore store, long blockId, StorageDir dir, Path tmp, long maxLength) throws IOException {
    this.store = store;
    this.dir = dir;
    this.blockId = blockId;
    this.tmp = tmp;
    this.maxLength = maxLength;
    this.channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
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

  Path tmpPath() {
    return tmp;
  }

  FileChannel channel() {
    return channel;
  }

  /**
   * Appends {@code data}'s readable bytes (not consuming them).
   *
   * @throws RpcException INVALID_ARGUMENT past the block's maximum length, IO_ERROR (NO_SPACE for a full disk);
   *     either failure of the disk also fails the block's directory
   */
  public void append(ByteBuf data) throws RpcException {
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
      store.writeFailed(this, e);
      throw new RpcException(full ? Status.NO_SPACE : Status.IO_ERROR, "block " + blockId + ": write failed: "
          + e.getMessage(), e);
    }
    length += n;
  }

  /**
   * Opens the temp file for reading, so bytes appended so far can be read while the block is still being written.
   * The channel is the caller's to close; it stays readable after commit (the file is renamed, not copied) and
   * after abort (until closed), since it holds the file open.
   */
  public FileChannel openReader() throws IOException {
    return FileChannel.open(tmp, StandardOpenOption.READ);
  }

  /** Closes the file and makes the block visible under its id. On failure the temp file is removed. */
  public void commit() throws RpcException {
    commit(false);
  }

  /**
   * Like {@link #commit()}, and leases the committed block at once (so it cannot be evicted before a reader that
   * followed the write is done with it). The caller closes the lease.
   */
  public ReadLease commitAndLease() throws RpcException {
    return commit(true);
  }

  private ReadLease commit(boolean lease) throws RpcException {
    if (ended) {
      throw new IllegalStateException("block " + blockId + " already ended");
    }
    ended = true;
    try {
      return store.commit(this, length, lease);
    } catch (RpcException e) {
      deleteTmp();
      throw e;
    } finally {
      closeQuietly();
    }
  }

  /** Abandons the write: closes and deletes the temp file. Idempotent. */
  public void abort() {
    if (ended) {
      return;
    }
    ended = true;
    closeQuietly();
    deleteTmp();
    store.release(this);
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
