package io.sluice.common.rpc;

import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.sluice.common.proto.FrameHeader;

/**
 * Splits the byte stream into {@link Frame}s. Byte layout of one frame (all integers big-endian):
 *
 * <pre>
 * +------------+-------------------+---------------------+-------------------------+------------------+
 * | length: u32| header_length: u32| header (FrameHeader)| body (header.body_length)| data (the rest)  |
 * +------------+-------------------+---------------------+-------------------------+------------------+
 *               \____________________________ length bytes ______________________________________/
 * </pre>
 *
 * <p>A frame whose length exceeds the limit fails at once with {@code TooLongFrameException}, before any of it is
 * buffered (fail-fast), so a hostile length never allocates. A header that does not parse, or lengths that do not
 * fit inside the frame, fail with {@link CorruptedFrameException}. Both are fatal for the connection: the
 * pipeline's last handler logs and closes it.
 */
public final class FrameDecoder extends LengthFieldBasedFrameDecoder {
  /** Bytes of the length prefix. */
  public static final int LENGTH_BYTES = 4;

  public FrameDecoder(int maxFrameBytes) {
    super(maxFrameBytes, 0, LENGTH_BYTES, 0, LENGTH_BYTES, true);
    // Data frames are up to a few MiB and arrive in socket reads of at most 64 KiB: composing the reads instead of
    // merging them into one buffer saves a copy of every byte (readers walk the components: see nioBuffers()).
    setCumulator(COMPOSITE_CUMULATOR);
  }

  @Override
  protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
    ByteBuf frame = (ByteBuf) super.decode(ctx, in);
    if (frame == null) {
      return null;
    }
    try {
      return parse(frame);
    } finally {
      frame.release();
    }
  }

  private static Frame parse(ByteBuf frame) {
    if (frame.readableBytes() < 4) {
      throw new CorruptedFrameException("frame of " + frame.readableBytes() + " bytes has no header length");
    }
    int headerLength = frame.readInt();
    if (headerLength < 0 || headerLength > frame.readableBytes()) {
      throw new CorruptedFrameException("header length " + headerLength + " outside a frame of "
          + (frame.readableBytes() + 4) + " bytes");
    }
    FrameHeader header;
    try {
      header = FrameHeader.parseFrom(frame.nioBuffer(frame.readerIndex(), headerLength));
    } catch (InvalidProtocolBufferException e) {
      throw new CorruptedFrameException("unparseable frame header: " + e.getMessage());
    }
    frame.skipBytes(headerLength);
    long bodyLength = Integer.toUnsignedLong(header.getBodyLength());
    if (bodyLength > frame.readableBytes()) {
      throw new CorruptedFrameException("body length " + bodyLength + " exceeds the " + frame.readableBytes()
          + " bytes left in the frame");
    }
    ByteBuf body = frame.readRetainedSlice((int) bodyLength);
    ByteBuf data = frame.readRetainedSlice(frame.readableBytes());
    return new Frame(header, body, data);
  }
}
