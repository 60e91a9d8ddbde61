package io.sluice.common.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The guard must notice a real leak, or it guards nothing. */
class LeakGuardExtensionTest {
  @Test
  void aDroppedBufferIsReported() {
    leak();
    AssertionError e = assertThrows(AssertionError.class, () -> LeakGuardExtension.check("this test"));
    assertTrue(e.getMessage().contains("LEAK"), e.getMessage());
  }

  private static void leak() {
    ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(128);
    b.writeLong(42); // never released
  }
}
