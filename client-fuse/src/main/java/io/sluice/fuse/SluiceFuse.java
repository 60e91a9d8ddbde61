package io.sluice.fuse;

import com.sun.security.auth.module.UnixSystem;
import io.sluice.client.CreateOptions;
import io.sluice.client.SluiceClient;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.GetClusterInfoResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerSummary;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import jnr.constants.platform.OpenFlags;
import jnr.ffi.Pointer;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;

/**
 * The Sluice namespace as a FUSE file system: each callback translates to one {@link SluiceClient} call and maps
 * failures to errno through {@link Errno} (STYLE 9, 11). Open files and directories live in {@link OpenFiles}.
 *
 * <p>Not implemented, so libfuse answers ENOSYS: chmod, chown, utimens, symlink, readlink, link, mknod, the xattr
 * calls, lock/flock, fallocate. The client has no call for them yet. truncate supports only size 0 and the current
 * size (ENOTSUP otherwise); see {@link OpenFile} for which writes are possible.
 *
 * <p>Callbacks run on libfuse's single thread (see {@link MountOptions}); the scratch buffer is per thread anyway so
 * that a bounded multi-threaded loop would stay correct.
 */
public final class SluiceFuse extends FuseStubFS {
  private static final Logger LOG = LoggerFactory.getLogger(SluiceFuse.class);
  private static final int ACCMODE = 3;
  private static final long STATFS_BLOCK = 4096;

  private final SluiceClient client;
  private final OpenFiles files = new OpenFiles();
  private final Attributes attributes;
  /** Copies between native request memory and the client's byte[] API, sized for the largest request. */
  private final ThreadLocal<byte[]> scratch = ThreadLocal.withInitial(() -> new byte[MountOptions.MAX_IO]);

  /** A file system over {@code client}, which the caller keeps and closes after unmounting. */
  public SluiceFuse(SluiceClient client) {
    this.client = client;
    UnixSystem me = new UnixSystem();
    this.attributes = new Attributes(me.getUid(), me.getGid());
  }

  /** Open handles, for tests and the mount's counters. */
  int openHandles() {
    return files.size();
  }

  @Override
  public int getattr(String path, FileStat stat) {
    try {
      FileInfo info = client.getStatus(path);
      long writing = files.writingLength(path);
      attributes.fill(stat, info, writing >= 0 ? writing : info.getLength());
      return 0;
    } catch (Exception e) {
      return fail("getattr", path, e);
    }
  }

  @Override
  public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
    return getattr(path, stat);
  }

  @Override
  public int mkdir(String path, @mode_t long mode) {
    try {
      client.mkdir(path, false);
      return 0;
    } catch (Exception e) {
      return fail("mkdir", path, e);
    }
  }

  @Override
  public int rmdir(String path) {
    try {
      if (client.getStatus(path).getType() != FileType.DIRECTORY) {
        return -ErrorCodes.ENOTDIR();
      }
      client.delete(path, false);
      return 0;
    } catch (Exception e) {
      return fail("rmdir", path, e);
    }
  }

  @Override
  public int unlink(String path) {
    try {
      if (client.getStatus(path).getType() == FileType.DIRECTORY) {
        return -ErrorCodes.EISDIR();
      }
      client.delete(path, false);
      return 0;
    } catch (Exception e) {
      return fail("unlink", path, e);
    }
  }

  /**
   * POSIX rename replaces an existing target; the client's rename refuses one. So an existing target is deleted
   * first (non-recursively: a non-empty directory target fails with ENOTEMPTY, as POSIX says). Unlike POSIX this
   * is two steps, not atomic: a crash in between leaves the target gone and the source in place.
   */
  @Override
  public int rename(String from, String to) {
    try {
      try {
        client.rename(from, to);
      } catch (RpcException e) {
        if (e.status() != Status.ALREADY_EXISTS) {
          throw e;
        }
        boolean fromDir = client.getStatus(from).getType() == FileType.DIRECTORY;
        boolean toDir = client.getStatus(to).getType() == FileType.DIRECTORY;
        if (fromDir != toDir) {
          return -(fromDir ? ErrorCodes.ENOTDIR() : ErrorCodes.EISDIR());
        }
        client.delete(to, false);
        client.rename(from, to);
      }
      files.renamed(from, to);
      return 0;
    } catch (Exception e) {
      return fail("rename", from + " -> " + to, e);
    }
  }

  @Override
  public int create(String path, @mode_t long mode, FuseFileInfo fi) {
    try {
      fi.fh.set(files.add(OpenFile.create(client, path, (int) (mode & 07777))));
      return 0;
    } catch (Exception e) {
      return fail("create", path, e);
    }
  }

  @Override
  public int open(String path, FuseFileInfo fi) {
    int flags = fi.flags.get();
    int acc = flags & ACCMODE;
    boolean writable = acc != OpenFlags.O_RDONLY.intValue();
    try {
      if (writable && (flags & OpenFlags.O_TRUNC.intValue()) != 0) {
        int r = truncate(path, 0);
        if (r != 0) {
          return r;
        }
      }
      OpenFile f = OpenFile.open(client, path, acc != OpenFlags.O_WRONLY.intValue(), writable);
      fi.fh.set(files.add(f));
      return 0;
    } catch (Exception e) {
      return fail("open", path, e);
    }
  }

  @Override
  public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
    OpenFile f = files.get(fi.fh.get(), OpenFile.class);
    if (f == null) {
      return -ErrorCodes.EBADF();
    }
    try {
      byte[] b = scratch(size);
      int n = f.read(offset, b, (int) size);
      buf.put(0, b, 0, n);
      return n;
    } catch (Exception e) {
      return fail("read", path, e);
    }
  }

  @Override
  public int write(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
    OpenFile f = files.get(fi.fh.get(), OpenFile.class);
    if (f == null) {
      return -ErrorCodes.EBADF();
    }
    try {
      byte[] b = scratch(size);
      buf.get(0, b, 0, (int) size);
      f.write(offset, b, (int) size);
      return (int) size;
    } catch (Exception e) {
      return fail("write", path, e);
    }
  }

  @Override
  public int flush(String path, FuseFileInfo fi) {
    OpenFile f = files.get(fi.fh.get(), OpenFile.class);
    if (f == null) {
      return 0;
    }
    try {
      f.flush();
      return 0;
    } catch (Exception e) {
      return fail("flush", path, e);
    }
  }

  /** The client can make data durable only by completing the file, so fsync completes it (see {@link OpenFile}). */
  @Override
  public int fsync(String path, int isdatasync, FuseFileInfo fi) {
    OpenFile f = files.get(fi.fh.get(), OpenFile.class);
    if (f == null) {
      return 0;
    }
    try {
      f.fsync();
      return 0;
    } catch (Exception e) {
      return fail("fsync", path, e);
    }
  }

  @Override
  public int release(String path, FuseFileInfo fi) {
    Object h = files.remove(fi.fh.get());
    if (h instanceof OpenFile f) {
      try {
        f.close();
      } catch (Exception e) {
        return fail("release", path, e);
      }
    }
    return 0;
  }

  /**
   * Truncation to 0 replaces a non-empty file by an empty one (an overwriting create, completed at once): what
   * {@code O_TRUNC} needs, which the kernel sends as this call. The file keeps its mode but gets a new inode, so a
   * reader that has it open keeps reading the old content. Other sizes are refused unless already the size.
   */
  @Override
  public int truncate(String path, @off_t long size) {
    try {
      FileInfo info = client.getStatus(path);
      if (info.getType() == FileType.DIRECTORY) {
        return -ErrorCodes.EISDIR();
      }
      long writing = files.writingLength(path);
      long length = writing >= 0 ? writing : info.getLength();
      if (size == length) {
        return 0;
      }
      if (size != 0 || writing >= 0) {
        LOG.debug("truncate {} to {}: only truncation to 0 of a closed file is supported", path, size);
        return -Errno.notSupported();
      }
      client.create(path, CreateOptions.defaults().withMode(info.getMode() & 07777).withOverwrite(true)).close();
      return 0;
    } catch (Exception e) {
      return fail("truncate", path, e);
    }
  }

  @Override
  public int ftruncate(String path, @off_t long size, FuseFileInfo fi) {
    return truncate(path, size);
  }

  @Override
  public int opendir(String path, FuseFileInfo fi) {
    try {
      fi.fh.set(files.add(new DirectoryHandle(client, path)));
      return 0;
    } catch (Exception e) {
      return fail("opendir", path, e);
    }
  }

  @Override
  public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
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

  @Override
  public int releasedir(String path, FuseFileInfo fi) {
    files.remove(fi.fh.get());
    return 0;
  }

  /**
   * Capacity and use summed over the live workers: the cache's size, not the under file systems'. Inode counts
   * are not limited; free inodes are reported as plenty.
   */
  @Override
  public int statfs(String path, Statvfs st) {
    try {
      GetClusterInfoResponse info = client.clusterInfo();
      long capacity = 0;
      long used = 0;
      for (WorkerSummary w : info.getWorkersList()) {
        if (w.getLive()) {
          capacity += w.getCapacityBytes();
          used += w.getUsedBytes();
        }
      }
      long free = Math.max(0, capacity - used) / STATFS_BLOCK;
      st.f_bsize.set(STATFS_BLOCK);
      st.f_frsize.set(STATFS_BLOCK);
      st.f_blocks.set(capacity / STATFS_BLOCK);
      st.f_bfree.set(free);
      st.f_bavail.set(free);
      st.f_files.set(info.getInodeCount() + Integer.MAX_VALUE);
      st.f_ffree.set(Integer.MAX_VALUE);
      st.f_favail.set(Integer.MAX_VALUE);
      st.f_namemax.set(255);
      return 0;
    } catch (Exception e) {
      return fail("statfs", path, e);
    }
  }

  /**
   * Existence only: the master enforces permissions on the operations themselves, so a check here could only
   * guess, and would cost the same round trip as the operation.
   */
  @Override
  public int access(String path, int mask) {
    try {
      client.getStatus(path);
      return 0;
    } catch (Exception e) {
      return fail("access", path, e);
    }
  }

  /**
   * Tells jnr-fuse the mount is gone ({@link FuseMount} unmounted it and waited), so its own shutdown hook does not
   * start another {@code fusermount}.
   */
  void unmounted() {
    mounted.set(false);
  }

  /** Completes files still open for writing and closes read streams; called after unmounting. */
  void closeHandles() {
    for (Object h : files.all()) {
      if (h instanceof OpenFile f) {
        try {
          f.close();
        } catch (IOException | RuntimeException e) {
          LOG.warn("{}: not completed at unmount: {}", f.path(), e.getMessage());
        }
      }
    }
  }

  private byte[] scratch(long size) {
    byte[] b = scratch.get();
    if (b.length < size) {
      // Only when someone mounts with a larger max_read/max_write than ours.
      b = new byte[(int) size];
      scratch.set(b);
    }
    return b;
  }

  /** libfuse copies the name as a C string; jnr passes the array as is, so it must carry its own NUL. */
  private static ByteBuffer nulTerminated(String name) {
    byte[] b = name.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.wrap(Arrays.copyOf(b, b.length + 1));
  }

  /**
   * Maps a failure to {@code -errno} with one log line naming the operation, the path and the cause. Expected
   * outcomes (a missing name looked up, an existing name created) are debug-level: shells and tools probe for them
   * all the time.
   */
  private static int fail(String op, String path, Exception e) {
    int errno = Errno.negated(e);
    // The client's messages name the path already; the status (or errno) follows.
    if (e instanceof RpcException r && (r.status() == Status.NOT_FOUND || r.status() == Status.ALREADY_EXISTS)) {
      LOG.debug("{}: {} ({})", op, r.getMessage(), r.status());
    } else if (e instanceof RpcException r) {
      LOG.info("{}: {} ({})", op, r.getMessage(), r.status());
    } else if (e instanceof ErrnoException) {
      LOG.info("{}: {} (errno {})", op, e.getMessage(), -errno);
    } else if (e instanceof IOException) {
      LOG.warn("{} {}: {} (errno {})", op, path, e, -errno);
    } else {
      LOG.warn("{} {}: unexpected failure", op, path, e);
    }
    return errno;
  }
}
