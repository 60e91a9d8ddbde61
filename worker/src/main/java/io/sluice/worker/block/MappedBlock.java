package io.sluice.worker.block;

import io.sluice.common.memory.Unmapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A MEM-tier block file kept mapped into the worker, so a read in transfer mode {@code mapped} sends its bytes from
 * the mapping instead of reading each frame into a buffer first: one copy fewer per byte sent (bench/RESULTS.md).
 * {@link BlockMappings} decides which blocks get one and when.
 *
 * <p>Reference-counted under the store's lock: the store holds one while the block is stored, the background load
 * one until the pages are in, each reader one until nothing it sent still points into the mapping. The memory is
 * unmapped when the last goes, never before, so no frame reads unmapped memory. A file is pooled for reuse (and then
 * cut to another block's length, which would fault a mapping past the new end) only while no reference but the
 * store's is left ({@link #inUse}), and the store's is dropped in the same critical section.
 */
public final class MappedBlock {
  private static final Logger LOG = LoggerFactory.getLogger(MappedBlock.class);

  private final Object lock;
  private final MappedByteBuffer buffer;
  /** Guarded by {@link #lock}. */
  private int refs = 1;
  /** Guarded by {@link #lock}: the pages are faulted in and readers may have it. */
  private boolean ready;

  private MappedBlock(Object lock, MappedByteBuffer buffer) {
    this.lock = lock;
    this.buffer = buffer;
  }

  /** Maps {@code length} bytes of {@code path} read-only, holding the caller's (the store's) reference. */
  static MappedBlock map(Object lock, Path path, long length) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      return new MappedBlock(lock, ch.map(FileChannel.MapMode.READ_ONLY, 0, length));
    }
  }

  /** The block's bytes {@code [offset, offset + length)}, read-only, sharing the mapping. */
  public ByteBuffer slice(long offset, int length) {
    return buffer.slice((int) offset, length);
  }

  /** Gives back a reader's reference, once nothing it handed out still points into the mapping. */
  public void release() {
    synchronized (lock) {
      releaseLocked();
    }
  }

  /**
   * Faults every page of the mapping in (off the event loops, whose first pass through a fresh mapping ran at half
   * the speed of reading the file), then lets readers have it, and gives back the load's reference. A load that
   * fails (the file was cut short behind the worker's back: the JVM turns the fault into an InternalError) leaves it
   * to no reader; they keep reading the file, which reports the short file as an I/O error.
   */
  void load(String what) {
    boolean loaded = false;
    try {
      buffer.load();
      loaded = true;
    } catch (RuntimeException | InternalError e) {
      LOG.warn("cannot map {}; reading it from its file instead: {}", what, e.toString());
    } finally {
      synchronized (lock) {
        ready = loaded;
        releaseLocked();
      }
    }
  }

  /** Called with the lock held. */
  MappedBlock retainLocked() {
    refs++;
    return this;
  }

  /** Called with the lock held. */
  boolean readyLocked() {
    return ready;
  }

  /** Called with the lock held: a reference beyond the store's is out. */
  boolean inUse() {
    return refs > 1;
  }

  /** Called with the lock held; unmaps with the last reference. */
  void releaseLocked() {
    if (--refs == 0) {
      Unmapper.unmap(buffer);
    }
  }

  /** Called with the lock held: whether it is still mapped. */
  boolean mappedLocked() {
    return refs > 0;
  }
}
