package io.sluice.common.rpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file region written under TLS leaves as a buffer of the same bytes, and the region is released. */
class FileRegionEncoderTest {
  @TempDir
  Path dir;

  @Test
  void aRegionIsCopiedIntoABufferAndReleased() throws Exception {
    byte[] content = new byte[300_000];
    new Random(4).nextBytes(content);
    Path file = dir.resolve("block");
    Files.write(file, content);
    EmbeddedChannel ch = new EmbeddedChannel(FileRegionEncoder.INSTANCE);
    DefaultFileRegion region = new DefaultFileRegion(file.toFile(), 1000, 200_000);
    ByteBuf other = Unpooled.wrappedBuffer(new byte[] {1, 2, 3});
    ch.writeOutbound(other, region);

    ByteBuf passed = ch.readOutbound();
    assertEquals(3, passed.readableBytes(), "buffers pass as they are");
    passed.release();
    ByteBuf copied = ch.readOutbound();
    try {
      assertArrayEquals(Arrays.copyOfRange(content, 1000, 201_000), ByteBufUtil.getBytes(copied));
    } finally {
      copied.release();
    }
    assertEquals(0, region.refCnt(), "the region (and its file) released once copied");
    assertNull(ch.readOutbound());
    ch.finishAndReleaseAll();
  }
}
