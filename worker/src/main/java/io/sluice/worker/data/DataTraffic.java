package io.sluice.worker.data;

import java.util.concurrent.atomic.LongAdder;

/**
 * Bytes of block data this worker's data service moved: sent to readers and received from writers. Updated on
 * the event loops, one add per frame (a {@link LongAdder}, so connections on different loops do not contend);
 * read by metrics.
 */
public final class DataTraffic {
  private final LongAdder sent = new LongAdder();
  private final LongAdder sentZeroCopy = new LongAdder();
  private final LongAdder sentMapped = new LongAdder();
  private final LongAdder received = new LongAdder();

  /** Bytes of block data written to readers' connections (counted once the transport sent them). */
  public long bytesSent() {
    return sent.sum();
  }

  /**
   * Of {@link #bytesSent()}, those sent as a {@code FileRegion} straight from the block file (zero copy: sendfile on
   * epoll, transferTo on NIO).
   */
  public long bytesSentZeroCopy() {
    return sentZeroCopy.sum();
  }

  /** Of {@link #bytesSent()}, those sent (transfer mode mapped) from a block's kept mapping, not through a buffer. */
  public long bytesSentMapped() {
    return sentMapped.sum();
  }

  /** Bytes of block data received from writers and appended to their blocks. */
  public long bytesReceived() {
    return received.sum();
  }

  void sent(long bytes) {
    sent.add(bytes);
  }

  void sentZeroCopy(long bytes) {
    // The part before the whole: a reader of both never sees more zero-copy bytes than bytes sent.
    sentZeroCopy.add(bytes);
    sent.add(bytes);
  }

  void sentMapped(long bytes) {
    // The part before the whole, as for zero copy.
    sentMapped.add(bytes);
    sent.add(bytes);
  }

  void received(long bytes) {
    received.add(bytes);
  }
}
