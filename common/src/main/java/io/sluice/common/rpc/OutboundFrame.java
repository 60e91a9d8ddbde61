package io.sluice.common.rpc;

import com.google.protobuf.Message;
import io.netty.channel.FileRegion;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;
import io.sluice.common.proto.FrameHeader;

/**
 * A frame to send: header, optional protobuf body, optional raw data (a {@code ByteBuf} or a {@link FileRegion}).
 * It owns the data: the {@link FrameEncoder} hands the data to the transport, and if the frame is never encoded
 * (channel closed) releasing the frame releases the data, so no path leaks it.
 */
public final class OutboundFrame extends AbstractReferenceCounted {
  private final FrameHeader.Builder header;
  private final Message body;
  private final ReferenceCounted data;
  private final long dataLength;

  /**
   * @param header the header; its body_length is set by the encoder
   * @param body the body, or {@code null}
   * @param data a {@code ByteBuf} or {@code FileRegion} whose ownership passes to this frame, or {@code null}
   * @param dataLength the number of bytes {@code data} will write
   */
  public OutboundFrame(FrameHeader.Builder header, Message body, ReferenceCounted data, long dataLength) {
    this.header = header;
    this.body = body;
    this.data = data;
    this.dataLength = data == null ? 0 : dataLength;
  }

  public static OutboundFrame of(FrameHeader.Builder header, Message body) {
    return new OutboundFrame(header, body, null, 0);
  }

  FrameHeader.Builder header() {
    return header;
  }

  Message body() {
    return body;
  }

  ReferenceCounted data() {
    return data;
  }

  long dataLength() {
    return dataLength;
  }

  @Override
  protected void deallocate() {
    if (data != null) {
      ReferenceCountUtil.release(data);
    }
  }

  @Override
  public ReferenceCounted touch(Object hint) {
    return this;
  }
}
