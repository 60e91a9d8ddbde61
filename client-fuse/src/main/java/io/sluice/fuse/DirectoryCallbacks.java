package io.sluice.fuse;

import static io.sluice.fuse.CallbackErrors.fail;

import io.sluice.client.SluiceClient;
import io.sluice.common.proto.FileInfo;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import jnr.ffi.types.off_t;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;

/**
 * The callbacks of {@link SluiceFuse} on directory handles: opendir, readdir and releasedir. Each open directory is
 * a {@link DirectoryHandle} in {@link OpenFiles}, whose cursor a series of readdir calls consumes; each callback is
 * timed in {@link FuseOpMetrics}.
 *
 * <p>Each entry goes to the kernel with its inode number and type ({@code d_ino}, {@code d_type}; libfuse takes them
 * from a {@code struct stat} beside the name, under the mount's {@code use_ino}), so {@code find}, {@code ls},
 * {@code du} and Python's {@code os.walk} tell files from directories without a lookup of each entry, and
 * {@code ls -i} shows the number a stat of the entry gives.
 */
final class DirectoryCallbacks {
  /** One {@code struct stat} per serving thread for the entries' number and type; zeroed once, the rest unused. */
  private static final ThreadLocal<FileStat> ENTRY_STAT = ThreadLocal.withInitial(() -> {
    Runtime runtime = Runtime.getSystemRuntime();
    return FileStat.of(Memory.allocateDirect(runtime, Struct.size(new FileStat(runtime)), true));
  });

  private final SluiceClient client;
  private final OpenFiles files;
  private final RecentStatuses statuses;
  private final FuseOpMetrics ops;

  DirectoryCallbacks(SluiceClient client, OpenFiles files, RecentStatuses statuses, FuseOpMetrics ops) {
    this.client = client;
    this.files = files;
    this.statuses = statuses;
    this.ops = ops;
  }

  int opendir(String path, FuseFileInfo fi) {
    long start = System.nanoTime();
    return ops.done(FuseOp.OPENDIR, start, doOpendir(path, fi));
  }

  private int doOpendir(String path, FuseFileInfo fi) {
    try {
      fi.fh.set(files.add(new DirectoryHandle(client, path, statuses)));
      return 0;
    } catch (Exception e) {
      return fail("opendir", path, e);
    }
  }

  int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
    long start = System.nanoTime();
    return ops.done(FuseOp.READDIR, start, doReaddir(path, buf, filler, offset, fi));
  }

  private int doReaddir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
    DirectoryHandle d = files.get(fi.fh.get(), DirectoryHandle.class);
    if (d == null) {
      return -ErrorCodes.EBADF();
    }
    try {
      d.seek(offset);
      for (String name = d.peek(); name != null; name = d.peek()) {
        // A full buffer: the entry stays pending and the kernel asks again from this offset.
        if (filler.apply(buf, nulTerminated(name), numberAndType(d.peekedStatus()), d.nextOffset()) != 0) {
          break;
        }
        d.advance();
      }
      return 0;
    } catch (Exception e) {
      return fail("readdir", path, e);
    }
  }

  /** The entry's inode number and type as a {@code struct stat}, or null (unknown) for "." and "..". */
  private static Pointer numberAndType(FileInfo entry) {
    if (entry == null) {
      return null;
    }
    FileStat st = ENTRY_STAT.get();
    st.st_ino.set(entry.getId());
    st.st_mode.set(Attributes.typeBits(entry.getType()));
    return Struct.getMemory(st);
  }

  int releasedir(String path, FuseFileInfo fi) {
    long start = System.nanoTime();
    return ops.done(FuseOp.RELEASEDIR, start, doReleasedir(path, fi));
  }

  private int doReleasedir(String path, FuseFileInfo fi) {
    files.remove(fi.fh.get());
    return 0;
  }

  /** libfuse copies the name as a C string; jnr passes the array as is, so it must carry its own NUL. */
  private static ByteBuffer nulTerminated(String name) {
    byte[] b = name.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.wrap(Arrays.copyOf(b, b.length + 1));
  }
}
