package io.sluice.worker.block;

import io.sluice.common.rpc.RpcException;
import java.nio.file.Path;

/**
 * A reader's hold on a committed block: while any lease is open the block is not evicted, so its file stays at
 * {@link #path()} for the whole read. Taken by {@link BlockStore#openRead}; the reader must close it when done
 * (closing twice is harmless), and only once it no longer reads the file: once the last lease is closed, a MEM
 * block's file may be reused for another block. An explicit {@link BlockStore#delete} or a failed directory does not
 * wait for leases: those blocks are gone for good (their files unlinked, never reused, so open readers keep their
 * bytes).
 */
public final class ReadLease implements AutoCloseable {
  private final BlockStore store;
  private final StoredBlock block;
  private boolean closed;

  ReadLease(BlockStore store, StoredBlock block) {
    this.store = store;
    this.block = block;
  }

  public long blockId() {
    return block.id;
  }

  /** The block file; readable until the lease is closed. */
  public Path path() {
    return block.path;
  }

  public long length() {
    return block.length;
  }

  /** The CRC32C of each checksum chunk of the block (see {@link BlockStore#checksums}). */
  public int[] checksums() throws RpcException {
    return store.checksums(this);
  }

  /**
   * The block's kept mapping to send from, with a reference to release before this lease is closed; or null: read
   * the file ({@link BlockStore#mapped}).
   */
  public MappedBlock mapped() {
    return store.mapped(this);
  }

  StoredBlock block() {
    return block;
  }

  /**
   * Ends the lease of a holder that may go on reading the file without it (a short-circuit client whose connection
   * closed under it: its process may still be reading). Such a block's file is unlinked when the block goes, never
   * reused, so that reader keeps seeing this block's bytes. Closing twice is harmless.
   */
  public void closeDetached() {
    store.release(this, true);
  }

  /** Guarded by the store's lock. */
  boolean markClosed() {
    boolean was = closed;
    closed = true;
    return !was;
  }

  @Override
  public void close() {
    store.release(this, false);
  }
}
