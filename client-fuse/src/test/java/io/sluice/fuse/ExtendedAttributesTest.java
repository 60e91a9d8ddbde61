package io.sluice.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;

/** The size-query protocol getfattr and listxattr(2) callers rely on. */
class ExtendedAttributesTest {
  private static final byte[] VALUE = "hello".getBytes(StandardCharsets.UTF_8);
  private static final int ERANGE = 34;

  private final Pointer buf = Memory.allocate(Runtime.getSystemRuntime(), 16);

  @Test
  void sizeZeroAsksForTheLengthAndCopiesNothing() {
    buf.putByte(0, (byte) 'x');
    assertEquals(5, ExtendedAttributes.reply(VALUE, buf, 0));
    assertEquals('x', buf.getByte(0));
  }

  @Test
  void aBufferTooSmallIsERANGE() {
    assertEquals(-ERANGE, ExtendedAttributes.reply(VALUE, buf, 4));
  }

  @Test
  void aBufferLargeEnoughGetsTheBytes() {
    assertEquals(5, ExtendedAttributes.reply(VALUE, buf, 5));
    byte[] got = new byte[5];
    buf.get(0, got, 0, 5);
    assertArrayEquals(VALUE, got);
    assertEquals(0, ExtendedAttributes.reply(new byte[0], buf, 16));
  }
}
