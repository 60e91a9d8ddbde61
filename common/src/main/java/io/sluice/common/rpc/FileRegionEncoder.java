package io.sluice.common.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.FileRegion;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.List;

/**
 * Under TLS, copies each {@link FileRegion} written to a connection into a buffer, because an {@code SslHandler}
 * encrypts buffers only and fails any other message. The worker does not send regions under TLS in the first place
 * (its transfer mode, chosen once in the worker's {@code TransferMode}, is copy then); this handler is what keeps a
 * region that another path still produces (a read following a UFS load shares the load's file as regions) from
 * failing its read. The region is released by the encoder once copied; the buffer by the transport.
 */
@ChannelHandler.Sharable
final class FileRegionEncoder extends MessageToMessageEncoder<FileRegion> {
  static final FileRegionEncoder INSTANCE = new FileRegionEncoder();

  private FileRegionEncoder() {
    super(FileRegion.class);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, FileRegion region, List<Object> out) throws IOException {
    long count = region.count() - region.transferred();
    if (count > Integer.MAX_VALUE) {
      throw new IOException("file region of " + count + " bytes is too large to copy");
    }
    ByteBuf buf = ctx.alloc().directBuffer((int) count);
    try {
      WritableByteChannel into = new BufferChannel(buf);
      long copied = 0;
      while (copied < count) {
        long n = region.transferTo(into, region.transferred());
        if (n <= 0) {
          throw new IOException("file region ended after " + copied + " of " + count + " bytes");
        }
        copied += n;
      }
      out.add(buf);
    } catch (IOException | RuntimeException e) {
      buf.release();
      throw e;
    }
  }

  /** A channel that appends what it is given to a buffer sized for all of it. */
  private static final class BufferChannel implements WritableByteChannel {
    private final ByteBuf buf;

    BufferChannel(ByteBuf buf) {
      this.buf = buf;
    }

    @Override
    public int write(ByteBuffer src) {
      int n = src.remaining();
      buf.writeBytes(src);
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }
}
