package io.sluice.common.memory;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unmaps a {@link MappedByteBuffer} at once, through {@code sun.misc.Unsafe.invokeCleaner} (module jdk.unsupported),
 * looked up reflectively as Netty does for its direct buffers (its own helper for this is deprecated in 4.2). Java 17
 * has no public way to unmap; without one the mapping would stay until its buffer is collected, holding the dropped
 * block's address range and page tables that long (and a removed block file's pages). The worker unmaps the MEM
 * blocks it sends from; a client the block files it checks before a FUSE mount splices them.
 */
public final class Unmapper {
  private static final Logger LOG = LoggerFactory.getLogger(Unmapper.class);
  /** {@code (ByteBuffer) -> void}, or null where the JDK does not offer it (mappings then go with the GC). */
  private static final MethodHandle INVOKE_CLEANER = find();

  private Unmapper() {}

  /** Unmaps {@code buffer} (an original mapping, not a slice); nothing may touch it afterwards. */
  public static void unmap(MappedByteBuffer buffer) {
    if (INVOKE_CLEANER == null) {
      return;
    }
    try {
      INVOKE_CLEANER.invokeExact((ByteBuffer) buffer);
    } catch (Throwable t) {
      LOG.debug("cannot unmap a block mapping now; it goes when collected: {}", t.toString());
    }
  }

  private static MethodHandle find() {
    try {
      Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
      Field field = unsafeClass.getDeclaredField("theUnsafe");
      field.setAccessible(true);
      return MethodHandles.lookup().findVirtual(unsafeClass, "invokeCleaner",
          MethodType.methodType(void.class, ByteBuffer.class)).bindTo(field.get(null));
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.info("block mappings are unmapped by the GC, not at once: {}", e.toString());
      return null;
    }
  }
}
