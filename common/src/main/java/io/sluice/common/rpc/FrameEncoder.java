package io.sluice.common.rpc;

import com.google.protobuf.CodedOutputStream;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.sluice.common.proto.FrameHeader;
import java.io.IOException;
import java.util.List;

/**
 * Writes an {@link OutboundFrame} in the layout drawn in {@link FrameDecoder}: one small buffer holding length,
 * header and body, followed by the frame's data as it is ({@code ByteBuf} or {@code FileRegion}), so file data is
 * never copied into user space here: the transport sends a {@code FileRegion} with sendfile.
 */
@ChannelHandler.Sharable
public final class FrameEncoder extends MessageToMessageEncoder<OutboundFrame> {
  public static final FrameEncoder INSTANCE = new FrameEncoder();

  private FrameEncoder() {
    super(OutboundFrame.class);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, OutboundFrame msg, List<Object> out) throws IOException {
    int bodyLength = msg.body() == null ? 0 : msg.body().getSerializedSize();
    FrameHeader header = msg.header().setBodyLength(bodyLength).build();
    int headerLength = header.getSerializedSize();
    long length = 4L + headerLength + bodyLength + msg.dataLength();
    if (length > Integer.MAX_VALUE) {
      throw new EncoderException("frame of " + length + " bytes is too long to send");
    }
    int metaLength = headerLength + bodyLength;
    ByteBuf prefix = ctx.alloc().ioBuffer(FrameDecoder.LENGTH_BYTES + 4 + metaLength);
    try {
      prefix.writeInt((int) length);
      prefix.writeInt(headerLength);
      // Serialize straight into the pooled buffer: no intermediate byte[] per frame.
      CodedOutputStream cos = CodedOutputStream.newInstance(prefix.nioBuffer(prefix.writerIndex(), metaLength));
      header.writeTo(cos);
      if (msg.body() != null) {
        msg.body().writeTo(cos);
      }
      cos.flush();
      prefix.writerIndex(prefix.writerIndex() + metaLength);
    } catch (IOException | RuntimeException e) {
      prefix.release();
      throw e;
    }
    out.add(prefix);
    if (msg.data() != null) {
      // The frame is released by our caller after encode; the transport gets its own reference.
      out.add(msg.data().retain());
    }
  }
}
