package io.sluice.common.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.DefaultMessageSizeEstimator;
import io.netty.channel.MessageSizeEstimator;

/**
 * Sizes writes for a channel's writability: an {@link OutboundFrame} by the buffer it carries, anything else as
 * Netty's default does. A frame written from outside the event loop waits in the loop's task queue before the
 * {@link FrameEncoder} turns it into buffers, and Netty counts it against the high-water mark only by this size:
 * Netty's default knows no {@code OutboundFrame} and counts 8 bytes, so a writer that waits for writability (a
 * {@link ClientStream#sendData}) could queue chunk after chunk while the loop was busy, holding all of them (issue 4:
 * dozens of 1 MiB write chunks in flight per stream). A {@code FileRegion}'s bytes are not counted, as Netty's default
 * does not: it holds no memory.
 */
final class FrameSizeEstimator implements MessageSizeEstimator {
  static final FrameSizeEstimator INSTANCE = new FrameSizeEstimator();

  /** A frame's length prefix and header, about. */
  private static final int HEADER_BYTES = 64;

  private static final Handle DEFAULT = DefaultMessageSizeEstimator.DEFAULT.newHandle();
  private static final Handle HANDLE = msg -> msg instanceof OutboundFrame f
      ? HEADER_BYTES + (f.data() instanceof ByteBuf ? (int) Math.min(f.dataLength(), Integer.MAX_VALUE - 64) : 0)
      : DEFAULT.size(msg);

  private FrameSizeEstimator() {}

  @Override
  public Handle newHandle() {
    return HANDLE;
  }
}
