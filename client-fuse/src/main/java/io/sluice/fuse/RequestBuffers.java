package io.sluice.fuse;

import com.kenai.jffi.MemoryIO;
import java.nio.ByteBuffer;
import jnr.ffi.Pointer;

/**
 * A FUSE request's native buffer seen as a direct {@link ByteBuffer}, so the client fills it in place: a read served
 * from a block file on this host then costs one copy (page cache to the buffer libfuse hands the kernel), not three
 * (page cache, a JDK temporary buffer, a Java array, the FUSE buffer). jffi, which jnr-fuse calls libfuse through,
 * makes the view with JNI's {@code NewDirectByteBuffer}; the view does not own the memory, libfuse frees it after
 * the reply.
 *
 * <p>libfuse2 allocates each read's buffer anew, but the allocator hands back the same address request after
 * request, so the last view made on a thread is kept and reused while the address and size fit.
 */
final class RequestBuffers {
  private static final MemoryIO MEMORY = MemoryIO.getInstance();

  private final ThreadLocal<View> last = ThreadLocal.withInitial(View::new);

  /** {@code buf}'s first {@code size} bytes, position 0, limit {@code size}; valid until the callback returns. */
  ByteBuffer view(Pointer buf, int size) {
    long address = buf.address();
    View v = last.get();
    if (v.buffer == null || v.address != address || v.buffer.capacity() < size) {
      v.buffer = MEMORY.newDirectByteBuffer(address, size);
      v.address = address;
    }
    return v.buffer.clear().limit(size);
  }

  private static final class View {
    long address;
    ByteBuffer buffer;
  }
}
