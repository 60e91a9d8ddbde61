package io.sluice.common.rpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.netty.buffer.ByteBuf;
import io.sluice.common.proto.FrameHeader;
import io.sluice.common.proto.Status;

/**
 * One decoded inbound frame: its header, its protobuf body and its raw data. The frame owns retained slices of
 * the receive buffer; whoever holds the frame calls {@link #release()} exactly once (after which body and data
 * must not be touched). To keep the data beyond that, {@code data().retain()} it first.
 */
public final class Frame {
  private final FrameHeader header;
  private final ByteBuf body;
  private final ByteBuf data;

  Frame(FrameHeader header, ByteBuf body, ByteBuf data) {
    this.header = header;
    this.body = body;
    this.data = data;
  }

  public FrameHeader header() {
    return header;
  }

  /** The protobuf body bytes (possibly empty). */
  public ByteBuf body() {
    return body;
  }

  /** The raw data after the body (possibly empty). */
  public ByteBuf data() {
    return data;
  }

  /** Parses the body; a malformed body is the sender's fault and fails with INVALID_ARGUMENT. */
  public <T extends Message> T parseBody(Parser<T> parser) throws RpcException {
    try {
      return parser.parseFrom(body.nioBuffer());
    } catch (InvalidProtocolBufferException e) {
      throw new RpcException(Status.INVALID_ARGUMENT, "malformed message body: " + e.getMessage());
    }
  }

  /** Frees the body and data buffers. */
  public void release() {
    body.release();
    data.release();
  }
}
