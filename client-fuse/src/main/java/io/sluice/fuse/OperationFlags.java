package io.sluice.fuse;

import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.struct.FuseOperations;

/**
 * Sets libfuse2's {@code flag_utime_omit_ok}, which jnr-fuse models only as padding and gives no way to set: with
 * it libfuse passes a change of one time only ({@code touch -a}, {@code touch -m}) to utimens with UTIME_OMIT for
 * the other, instead of silently dropping it. In C it is bit 2 of the {@code unsigned int} bit field that starts at
 * {@code flag_nullpath_ok} (bit 0); x86-64 and aarch64 allocate bit fields from the low bit.
 */
final class OperationFlags {
  private static final Logger LOG = LoggerFactory.getLogger(OperationFlags.class);
  private static final int UTIME_OMIT_OK = 1 << 2;

  private OperationFlags() {}

  /** Must run before the mount hands the struct to libfuse; failing, it logs what will not work and goes on. */
  static void set(FuseOperations ops) {
    try {
      // The member's type and its offset() are not accessible outside jnr-ffi: reflection it is.
      Object member = FuseOperations.class.getField("flag_nullpath_ok").get(ops);
      java.lang.reflect.Method offset = member.getClass().getMethod("offset");
      offset.setAccessible(true);
      long at = (Long) offset.invoke(member);
      Pointer memory = Struct.getMemory(ops);
      memory.putInt(at, memory.getInt(at) | UTIME_OMIT_OK);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("cannot set libfuse's flag_utime_omit_ok ({}): touch -a and touch -m will be ignored",
          e.toString());
    }
  }
}
