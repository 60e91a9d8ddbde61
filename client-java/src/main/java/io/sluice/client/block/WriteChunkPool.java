package io.sluice.client.block;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;

/**
 * The direct buffers one client's writes gather their chunks in, kept resident and reused across chunks, blocks and
 * files (issue 4: memory touched for the first time faults in at ~0.2 GiB/s here, recycled pages at GB/s).
 *
 * <p>The pool owns up to {@code maxBytes / chunkSize} buffers of the write chunk size, created on first need (a
 * client that only reads never holds one) and kept until {@link #close()}. {@link #acquire} hands out a slice of a
 * free one, whose reference count is the buffer's own: the caller owns the slice and releases it (a
 * {@link BlockWriter} passes it to the transport, which releases it once it is on the socket). A buffer is free when
 * the pool holds its only reference, so a chunk still referenced by anyone (queued on a connection, written through
 * to a UFS, retained for a resend) is never handed out again. When every buffer is in use the chunk comes from the
 * default allocator instead, so writers never wait on the pool and it stays bounded.
 *
 * <p>Why not Netty's allocators alone: the default (adaptive) one carves 1 MiB chunks out of slabs it sizes from
 * its recent allocations, and allocates and zeroes new slabs while that estimate settles (about 80 MiB newly touched
 * in the first GiB a fresh client wrote, measured); the pooled one frees a slab whenever its use drops to zero, which
 * chunks released one by one on an event loop keep doing (about 200 MiB touched per GiB written, every file).
 * Neither has a bound or a close. Here the memory touched is what the writes in flight need, once: about three
 * chunks per stream writing, as a stream waits for its connection to be writable before it sends the next.
 *
 * <p>Thread-safe: the streams of one client share its pool.
 */
public final class WriteChunkPool implements AutoCloseable {
  private final int chunkSize;
  /** The pool's buffers, {@code [0, created)}, each holding one reference of the pool's until {@link #close()}. */
  private final ByteBuf[] buffers;
  private int created;
  private long fallbacks;
  private boolean closed;

  /**
   * @param chunkSize the largest chunk asked for: the write chunk size
   * @param maxBytes how much memory the pool may keep; less than one chunk turns it off
   */
  public WriteChunkPool(int chunkSize, long maxBytes) {
    if (chunkSize <= 0 || maxBytes < 0) {
      throw new IllegalArgumentException("chunk size " + chunkSize + ", pool size " + maxBytes);
    }
    this.chunkSize = chunkSize;
    this.buffers = new ByteBuf[(int) Math.min(maxBytes / chunkSize, Integer.MAX_VALUE - 8)];
  }

  /**
   * An empty direct buffer of exactly {@code size} bytes (capacity and maximum), from a free pooled buffer when
   * there is one. The caller owns it: releasing it gives the pooled buffer back once no one else references it.
   */
  public synchronized ByteBuf acquire(int size) {
    if (size <= 0 || size > chunkSize) {
      throw new IllegalArgumentException("chunk of " + size + " bytes from a pool of " + chunkSize + "-byte chunks");
    }
    if (!closed) {
      // The lowest free one, so a light load keeps touching the same few buffers.
      for (int i = 0; i < created; i++) {
        if (buffers[i].refCnt() == 1) {
          return slice(buffers[i], size);
        }
      }
      if (created < buffers.length) {
        ByteBuf b = UnpooledByteBufAllocator.DEFAULT.directBuffer(chunkSize, chunkSize);
        buffers[created++] = b;
        return slice(b, size);
      }
    }
    fallbacks++;
    return ByteBufAllocator.DEFAULT.directBuffer(size, size);
  }

  /**
   * The pool's reference and the caller's: taken under the pool's lock, so no other acquire sees the buffer free
   * between the check and here (releases only ever make a buffer free, never busy).
   */
  private static ByteBuf slice(ByteBuf buffer, int size) {
    return buffer.retainedSlice(0, size).clear();
  }

  /** Buffers the pool has created: at most {@code maxBytes / chunkSize}, never more while it reuses them. */
  public synchronized int created() {
    return created;
  }

  /** Chunks that came from the default allocator because every pooled buffer was in use (or the pool closed). */
  public synchronized long fallbacks() {
    return fallbacks;
  }

  /**
   * Drops the pool's references: free buffers are freed now, those still in a chunk when that chunk is released.
   * Later chunks come from the default allocator. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (int i = 0; i < created; i++) {
      buffers[i].release();
      buffers[i] = null;
    }
  }
}
