package io.sluice.worker.ufs;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Direct buffers for loads that read their UFS as a channel, kept for the worker's life and handed from load to load.
 * Kept because memory touched for the first time is slow to fault in where the host reports free pages (about
 * 200 MiB/s on the development VM, issue 4); at most one is ever made per load running at once, so per UFS thread.
 */
final class LoadBuffers {
  private final int size;
  private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();

  /** @param size bytes per buffer: what a load reads from the UFS at a time */
  LoadBuffers(int size) {
    this.size = size;
  }

  int size() {
    return size;
  }

  /** A cleared buffer of {@link #size()} bytes, the caller's until it {@link #give}s it back. */
  ByteBuffer take() {
    ByteBuffer b = free.poll();
    return b != null ? b.clear() : ByteBuffer.allocateDirect(size);
  }

  /** Returns a buffer from {@link #take} once nothing reads or writes it any more. */
  void give(ByteBuffer b) {
    free.offer(b);
  }
}
