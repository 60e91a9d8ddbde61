package io.sluice.client.block;

import java.time.Duration;

/**
 * How block reads are shaped.
 *
 * @param chunkSize bytes per data frame asked of the worker
 * @param window frames the worker may send ahead of the reader (its initial credits); bounds memory per stream
 * @param timeout the longest wait for one frame before the read fails with UNAVAILABLE
 * @param shortCircuit read blocks of a worker on this host from their files under a lease (DESIGN 5), falling back
 *     to the block RPC whenever that cannot be done
 * @param verifyShortCircuit check each chunk read short-circuit against its CRC32C (remote reads always are)
 */
public record ReadOptions(int chunkSize, int window, Duration timeout, boolean shortCircuit,
    boolean verifyShortCircuit) {
  public ReadOptions {
    if (chunkSize <= 0 || window <= 0) {
      throw new IllegalArgumentException("chunk size and window must be positive: " + chunkSize + ", " + window);
    }
  }

  /** The credits to open a stream of {@code length} bytes with: the window, or fewer when fewer frames remain. */
  int creditsFor(long length) {
    long frames = (length + chunkSize - 1) / chunkSize;
    return (int) Math.max(1, Math.min(window, frames));
  }
}
