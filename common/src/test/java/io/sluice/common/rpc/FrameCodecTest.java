package io.sluice.common.rpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.sluice.common.proto.FrameHeader;
import io.sluice.common.proto.FrameKind;
import io.sluice.common.proto.MkdirRequest;
import io.sluice.common.proto.Status;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The frame codec on {@link EmbeddedChannel}: no sockets, every byte layout case. */
class FrameCodecTest {
  private static final int MAX = 64 * 1024;

  /** Encodes a frame and returns its bytes as one buffer. */
  private static ByteBuf encode(OutboundFrame frame) {
    EmbeddedChannel ch = new EmbeddedChannel(FrameEncoder.INSTANCE);
    assertTrue(ch.writeOutbound(frame));
    CompositeByteBuf all = Unpooled.compositeBuffer();
    Object part;
    while ((part = ch.readOutbound()) != null) {
      all.addComponent(true, (ByteBuf) part);
    }
    assertFalse(ch.finish());
    return all;
  }

  private static OutboundFrame sample(long callId, byte[] data) {
    FrameHeader.Builder h = FrameHeader.newBuilder().setCallId(callId).setKind(FrameKind.REQUEST).setMethod(1)
        .setStatus(Status.OK);
    return new OutboundFrame(h, MkdirRequest.newBuilder().setPath("/a/b").setRecursive(true).build(),
        Unpooled.wrappedBuffer(data), data.length);
  }

  @Test
  void goodFrameRoundTrips() throws Exception {
    byte[] data = new byte[1000];
    new Random(1).nextBytes(data);
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(MAX));
    assertTrue(in.writeInbound(encode(sample(42, data))));
    Frame f = in.readInbound();
    try {
      assertEquals(42, f.header().getCallId());
      assertEquals(FrameKind.REQUEST, f.header().getKind());
      assertEquals("/a/b", f.parseBody(MkdirRequest.parser()).getPath());
      assertArrayEquals(data, ByteBufUtil.getBytes(f.data()));
    } finally {
      f.release();
    }
    assertFalse(in.finish());
  }

  @Test
  void frameWithoutBodyOrData() throws Exception {
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(MAX));
    in.writeInbound(encode(OutboundFrame.of(FrameHeader.newBuilder().setCallId(7).setKind(FrameKind.CREDIT)
        .setCredits(3), null)));
    Frame f = in.readInbound();
    assertEquals(3, f.header().getCredits());
    assertEquals(0, f.body().readableBytes());
    assertEquals(0, f.data().readableBytes());
    f.release();
    assertFalse(in.finish());
  }

  @Test
  void splitFramesAreReassembledByteByByte() {
    ByteBuf bytes = Unpooled.compositeBuffer()
        .addComponent(true, encode(sample(1, new byte[300])))
        .addComponent(true, encode(sample(2, new byte[5])));
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(MAX));
    int frames = 0;
    while (bytes.isReadable()) {
      in.writeInbound(bytes.readRetainedSlice(1));
      Frame f;
      while ((f = in.readInbound()) != null) {
        frames++;
        assertEquals(frames, f.header().getCallId());
        f.release();
      }
    }
    bytes.release();
    assertEquals(2, frames);
    assertFalse(in.finish());
  }

  @Test
  void severalFramesInOneBuffer() {
    ByteBuf bytes = Unpooled.compositeBuffer();
    for (int i = 1; i <= 5; i++) {
      ((CompositeByteBuf) bytes).addComponent(true, encode(sample(i, new byte[i * 10])));
    }
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(MAX));
    in.writeInbound(bytes);
    for (int i = 1; i <= 5; i++) {
      Frame f = in.readInbound();
      assertEquals(i, f.header().getCallId());
      assertEquals(i * 10, f.data().readableBytes());
      f.release();
    }
    assertNull(in.readInbound());
    assertFalse(in.finish());
  }

  @Test
  void oversizedLengthFailsAtOnceWithoutBuffering() {
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(MAX));
    ByteBuf claim = Unpooled.buffer().writeInt(Integer.MAX_VALUE).writeInt(3).writeBytes(new byte[] {1, 2, 3});
    // Fail-fast: the error comes with the 4-byte length, not after MAX bytes were buffered.
    assertThrows(TooLongFrameException.class, () -> in.writeInbound(claim));
    assertEquals(0, claim.refCnt(), "the decoder must not keep the input");
    in.finishAndReleaseAll();
  }

  @Test
  void headerLengthBeyondTheFrameIsCorrupt() {
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(MAX));
    ByteBuf bad = Unpooled.buffer().writeInt(8).writeInt(1000).writeInt(0);
    assertThrows(CorruptedFrameException.class, () -> in.writeInbound(bad));
    in.finishAndReleaseAll();
  }

  @Test
  void bodyLengthBeyondTheFrameIsCorrupt() {
    byte[] header = FrameHeader.newBuilder().setCallId(1).setBodyLength(500).build().toByteArray();
    ByteBuf bad = Unpooled.buffer().writeInt(4 + header.length + 10).writeInt(header.length).writeBytes(header)
        .writeBytes(new byte[10]);
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(MAX));
    assertThrows(CorruptedFrameException.class, () -> in.writeInbound(bad));
    in.finishAndReleaseAll();
  }

  @Test
  void garbageBytesAreRejectedNotMisread() {
    Random r = new Random(7);
    int rejected = 0;
    for (int i = 0; i < 200; i++) {
      byte[] junk = new byte[64];
      r.nextBytes(junk);
      EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(MAX));
      try {
        in.writeInbound(Unpooled.wrappedBuffer(junk));
        // Random bytes either announce a frame longer than we sent (waiting for more) or decode to a frame
        // whose header happened to parse; in both cases nothing may leak.
        Frame f;
        while ((f = in.readInbound()) != null) {
          f.release();
        }
      } catch (TooLongFrameException | CorruptedFrameException e) {
        rejected++;
      } finally {
        in.finishAndReleaseAll();
      }
    }
    assertTrue(rejected > 150, "most random lengths exceed the limit: " + rejected);
  }

  @Test
  void unparseableHeaderIsCorrupt() {
    byte[] notProto = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
    ByteBuf bad = Unpooled.buffer().writeInt(4 + notProto.length).writeInt(notProto.length).writeBytes(notProto);
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(MAX));
    Exception e = assertThrows(Exception.class, () -> in.writeInbound(bad));
    assertInstanceOf(CorruptedFrameException.class, e);
    in.finishAndReleaseAll();
  }

  @Test
  void fileRegionDataIsPassedThroughUncopied(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("block");
    byte[] data = new byte[4096];
    new Random(3).nextBytes(data);
    Files.write(file, data);
    FileRegion region = new DefaultFileRegion(new File(file.toString()), 100, 2000);
    EmbeddedChannel out = new EmbeddedChannel(FrameEncoder.INSTANCE);
    out.writeOutbound(new OutboundFrame(FrameHeader.newBuilder().setKind(FrameKind.STREAM_DATA).setOffset(100),
        null, region, 2000));
    ByteBuf prefix = out.readOutbound();
    Object second = out.readOutbound();
    assertTrue(second instanceof FileRegion, "data stays a FileRegion for sendfile");
    assertEquals(prefix.readableBytes() - 4 + 2000, prefix.getInt(0), "length covers the region");
    prefix.release();
    ((FileRegion) second).release();
    assertFalse(out.finish());
  }

  @Test
  void unsentFrameReleasesItsData() {
    ByteBuf data = Unpooled.buffer(8).writeLong(1);
    OutboundFrame f = new OutboundFrame(FrameHeader.newBuilder(), null, data, 8);
    f.release();
    assertEquals(0, data.refCnt());
  }
}
