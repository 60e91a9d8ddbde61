package io.sluice.fuse;

import static io.sluice.fuse.CallbackErrors.fail;

import io.sluice.client.SluiceClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import jnr.ffi.Pointer;
import jnr.ffi.types.off_t;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.struct.FuseFileInfo;

/**
 * The callbacks of {@link SluiceFuse} on directory handles: opendir, readdir and releasedir. Each open directory is
 * a {@link DirectoryHandle} in {@link OpenFiles}, whose cursor a series of readdir calls consumes; each callback is
 * timed in {@link FuseOpMetrics}.
 */
final class DirectoryCallbacks {
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
        if (filler.apply(buf, nulTerminated(name), null, d.nextOffset()) != 0) {
          break;
        }
        d.advance();
      }
      return 0;
    } catch (Exception e) {
      return fail("readdir", path, e);
    }
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
