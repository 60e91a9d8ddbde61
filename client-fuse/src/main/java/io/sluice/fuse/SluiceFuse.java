package io.sluice.fuse;

import static io.sluice.fuse.CallbackErrors.fail;

import com.sun.security.auth.module.UnixSystem;
import io.sluice.client.FileEditor;
import io.sluice.client.SluiceClient;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.GetClusterInfoResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerSummary;
import io.sluice.common.rpc.RpcException;
import io.sluice.fuse.loop.SessionLoop;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import jnr.ffi.Pointer;
import jnr.ffi.types.gid_t;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.uid_t;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseContext;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * The Sluice namespace as a FUSE file system: each callback translates to one {@link SluiceClient} call and maps
 * failures to errno through {@link Errno} (STYLE 9, 11). Open files and directories live in {@link OpenFiles}.
 *
 * <p>Not implemented, so libfuse answers ENOSYS: mknod, lock/flock, fallocate. The client has no call for them.
 * The callbacks on file handles (create, open, read, write, flush, fsync, release, truncate) are
 * {@link FileCallbacks}'; random writes, truncate and appends change complete files through {@link SharedEditors};
 * see {@link OpenFile} for when what is written becomes visible. Hard links ({@link #link}) are names of one inode
 * on the master, but libfuse2's high-level API gives each path its own kernel inode, and this mount tracks open
 * files by path: two names of a file are cached apart by the kernel (attributes for the attribute timeout), and a
 * change through one is seen through the other at the next open after it was committed (close-to-open), as from
 * another client.
 *
 * <p>Permissions: the master sees every request as the mount's user, so the kernel checks the caller against the
 * mode, owner and group this mount reports ({@code default_permissions}, see {@link MountOptions}). Owners and
 * groups are names in Sluice and ids here; {@link OwnerMapping} translates.
 *
 * <p>Metrics: each callback is timed in its public method, around its one translation (the private {@code doX}),
 * into {@link FuseOpMetrics} with the errno it answers; jnr-fuse calls each callback directly, so there is no one
 * dispatch point to time them in. Failures are logged and mapped in one place ({@link CallbackErrors}).
 *
 * <p>Callbacks run on libfuse's single thread (see {@link MountOptions}); FileCallbacks' scratch buffer is per
 * thread anyway so that a bounded multi-threaded loop would stay correct.
 */
public final class SluiceFuse extends FuseStubFS {
  private static final Logger LOG = LoggerFactory.getLogger(SluiceFuse.class);
  private static final long STATFS_BLOCK = 4096;

  private final SluiceClient client;
  private final FuseOpMetrics ops;
  private final long mountUid;
  private final long mountGid;
  private final OpenFiles files = new OpenFiles();
  private final SharedEditors editors;
  private final HandleGate gate = new HandleGate();
  private final OwnerMapping owners;
  private final Attributes attributes;
  private final ExtendedAttributes xattrs;
  private final FileCallbacks handles;

  /**
   * A file system over {@code client}, which the caller keeps and closes after unmounting, timing every callback in
   * {@code ops}.
   */
  public SluiceFuse(SluiceClient client, FuseOpMetrics ops) {
    this.client = client;
    this.ops = ops;
    ops.bindHandles(files, OpenFiles::size);
    UnixSystem me = new UnixSystem();
    this.mountUid = me.getUid();
    this.mountGid = me.getGid();
    this.owners = new OwnerMapping(new NativeAccounts(), mountUid, mountGid, System::nanoTime);
    this.attributes = new Attributes(owners);
    this.xattrs = new ExtendedAttributes(client);
    this.editors = new SharedEditors(client);
    this.handles = new FileCallbacks(client, files, editors, gate, ops, (path, mode) -> {
      keepZeroMode(path, mode);
      ownByCaller(path);
    });
    OperationFlags.set(fuseOperations);
  }

  /** The kernel connected (FUSE_INIT answered): the mount is live, whatever a mount table says yet. */
  private final CountDownLatch connected = new CountDownLatch(1);
  /** libfuse's loop ended (unmounted from outside or by us). */
  private final CountDownLatch ended = new CountDownLatch(1);

  @Override
  public Pointer init(Pointer conn) {
    connected.countDown();
    return null;
  }

  @Override
  public void destroy(Pointer initResult) {
    ended.countDown();
  }

  /**
   * Mounts at {@code dir} with {@code options} and serves the mount on {@link SessionLoop}'s threads: one in kernel
   * order, plus {@link MountOptions#readThreads()} for reads of files open only for reading.
   *
   * @throws IOException when libfuse cannot mount
   */
  SessionLoop serve(Path dir, MountOptions options) throws IOException {
    if (!mounted.compareAndSet(false, true)) {
      throw new IllegalStateException("already mounted at " + mountPoint);
    }
    mountPoint = dir;
    List<String> argv = new ArrayList<>(List.of(getFSName(), "-f"));
    if (options.debug()) {
      argv.add("-d");
    }
    argv.add(dir.toString());
    argv.addAll(List.of(options.args()));
    try {
      return SessionLoop.start(fuseOperations, argv.toArray(new String[0]), options.readThreads(),
          handles::readsConcurrently, "sluice-fuse");
    } catch (IOException | RuntimeException e) {
      mounted.set(false);
      throw e;
    }
  }

  /** Waits until the kernel connected this file system; false when {@code timeout} passed first. */
  boolean awaitConnected(java.time.Duration timeout) throws InterruptedException {
    return connected.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** Waits until libfuse's loop ended; false when {@code timeout} passed first. */
  boolean awaitEnded(java.time.Duration timeout) throws InterruptedException {
    return ended.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** Open handles, for tests and the mount's counters. */
  int openHandles() {
    return files.size();
  }

  /** READ requests the kernel sent so far (not those it served from its page cache). */
  long readRequests() {
    return handles.readRequests();
  }

  /** The most READ requests served at once since the last call. */
  int takePeakReadsInFlight() {
    return handles.takePeakReadsInFlight();
  }

  @Override
  public int getattr(String path, FileStat stat) {
    long start = System.nanoTime();
    return ops.done(FuseOp.GETATTR, start, doGetattr(path, stat));
  }

  private int doGetattr(String path, FileStat stat) {
    try {
      FileInfo info = client.getStatus(path);
      attributes.fill(stat, info, length(path, info));
      return 0;
    } catch (Exception e) {
      return fail("getattr", path, e);
    }
  }

  /** The file's length as this mount sees it: a handle writing or changing it knows better than the master. */
  private long length(String path, FileInfo info) {
    long writing = files.writingLength(path);
    if (writing >= 0) {
      return writing;
    }
    FileEditor e = editors.active(path);
    return e != null ? e.length() : info.getLength();
  }

  @Override
  public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
    long start = System.nanoTime();
    return ops.done(FuseOp.FGETATTR, start, doGetattr(path, stat));
  }

  @Override
  public int mkdir(String path, @mode_t long mode) {
    long start = System.nanoTime();
    return ops.done(FuseOp.MKDIR, start, doMkdir(path, mode));
  }

  private int doMkdir(String path, @mode_t long mode) {
    try {
      // The kernel applied the caller's umask already.
      client.mkdir(path, false, (int) (mode & 07777));
      keepZeroMode(path, mode);
      ownByCaller(path);
      return 0;
    } catch (Exception e) {
      return fail("mkdir", path, e);
    }
  }

  @Override
  public int rmdir(String path) {
    long start = System.nanoTime();
    return ops.done(FuseOp.RMDIR, start, doRmdir(path));
  }

  private int doRmdir(String path) {
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
    long start = System.nanoTime();
    return ops.done(FuseOp.UNLINK, start, doUnlink(path));
  }

  private int doUnlink(String path) {
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
   * POSIX rename: an existing target is replaced in the same atomic step (a file by a file, a directory by an empty
   * directory; otherwise EISDIR, ENOTDIR, ENOTEMPTY from the master). Except when the target is open here: libfuse2
   * first renames it away to a hidden name (see {@link MountOptions}), so that case takes two steps. libfuse2's
   * rename has no flags, so RENAME_NOREPLACE and RENAME_EXCHANGE never get here: the kernel answers EINVAL itself.
   */
  @Override
  public int rename(String from, String to) {
    long start = System.nanoTime();
    return ops.done(FuseOp.RENAME, start, doRename(from, to));
  }

  private int doRename(String from, String to) {
    try {
      client.renameReplacing(from, to);
      files.renamed(from, to);
      editors.renamed(from, to);
      return 0;
    } catch (Exception e) {
      return fail("rename", from + " -> " + to, e);
    }
  }

  /** The mode's file-type bits are the kernel's business; the master keeps the permission bits (07777). */
  @Override
  public int chmod(String path, @mode_t long mode) {
    long start = System.nanoTime();
    return ops.done(FuseOp.CHMOD, start, doChmod(path, mode));
  }

  private int doChmod(String path, @mode_t long mode) {
    try {
      client.setMode(path, (int) (mode & 07777));
      return 0;
    } catch (Exception e) {
      return fail("chmod", path, Errno.ownerOnly(e));
    }
  }

  /** An id of -1 leaves that one as it is; an id without a local name is stored as its decimal digits. */
  @Override
  public int chown(String path, @uid_t long uid, @gid_t long gid) {
    long start = System.nanoTime();
    return ops.done(FuseOp.CHOWN, start, doChown(path, uid, gid));
  }

  private int doChown(String path, @uid_t long uid, @gid_t long gid) {
    try {
      String owner = unchanged(uid) ? null : owners.userName(uid);
      String group = unchanged(gid) ? null : owners.groupName(gid);
      if (owner != null || group != null) {
        client.setOwner(path, owner, group);
      }
      return 0;
    } catch (Exception e) {
      return fail("chown", path, Errno.ownerOnly(e));
    }
  }

  @Override
  public int utimens(String path, Timespec[] timespec) {
    long start = System.nanoTime();
    return ops.done(FuseOp.UTIMENS, start, doUtimens(path, timespec));
  }

  private int doUtimens(String path, Timespec[] timespec) {
    try {
      TimesChange c = TimesChange.of(timespec[0].tv_sec.get(), timespec[0].tv_nsec.longValue(),
          timespec[1].tv_sec.get(), timespec[1].tv_nsec.longValue(), System.currentTimeMillis());
      if (c.touch()) {
        client.touch(path);  // the owner or write permission: a refusal is EACCES, as for utimensat(2)
      } else if (!c.none()) {
        try {
          client.setTimes(path, c.mtimeMs(), c.atimeMs());
        } catch (RpcException e) {
          throw Errno.ownerOnly(e);
        }
        for (OpenFile writer : files.writers(path)) {
          writer.setTimesAfterCompletion(c);
        }
      }
      return 0;
    } catch (Exception e) {
      return fail("utimens", path, e);
    }
  }

  /** jnr-fuse passes symlink(2)'s arguments in its order: the target first, then the link's path. */
  @Override
  public int symlink(String target, String link) {
    long start = System.nanoTime();
    return ops.done(FuseOp.SYMLINK, start, doSymlink(target, link));
  }

  private int doSymlink(String target, String link) {
    try {
      client.createSymlink(link, target);
      ownByCaller(link);
      return 0;
    } catch (Exception e) {
      return fail("symlink", link, e);
    }
  }

  /**
   * link(2): {@code newpath} becomes another name of the file at {@code oldpath} (a symlink is linked itself, as on
   * Linux). The kernel refuses directories itself, with EPERM. What the cluster cannot link (a path under a mount,
   * whose UFS has no hard links; a file still being written; too many links) is EPERM too: what link(2) answers on
   * a file system that does not support hard links there.
   */
  @Override
  public int link(String oldpath, String newpath) {
    long start = System.nanoTime();
    return ops.done(FuseOp.LINK, start, doLink(oldpath, newpath));
  }

  private int doLink(String oldpath, String newpath) {
    try {
      client.link(newpath, oldpath);
      return 0;
    } catch (RpcException e) {
      if (e.status() == Status.INVALID_ARGUMENT || e.status() == Status.IS_DIRECTORY) {
        return fail("link", newpath, new ErrnoException(ErrorCodes.EPERM(), e.getMessage()));
      }
      return fail("link", newpath, e);
    } catch (Exception e) {
      return fail("link", newpath, e);
    }
  }

  /**
   * libfuse's high-level readlink wants the target NUL-terminated in {@code buf}, truncated to {@code size - 1}
   * bytes when longer (the kernel then reports the truncated length, as readlink(2) does), and 0 for success.
   */
  @Override
  public int readlink(String path, Pointer buf, @size_t long size) {
    long start = System.nanoTime();
    return ops.done(FuseOp.READLINK, start, doReadlink(path, buf, size));
  }

  private int doReadlink(String path, Pointer buf, @size_t long size) {
    try {
      FileInfo info = client.getStatus(path);
      if (info.getType() != FileType.SYMLINK) {
        return -ErrorCodes.EINVAL();
      }
      if (size <= 0) {
        return -ErrorCodes.EINVAL();
      }
      byte[] target = info.getSymlinkTarget().getBytes(StandardCharsets.UTF_8);
      int n = (int) Math.min(target.length, size - 1);
      buf.put(0, target, 0, n);
      buf.putByte(n, (byte) 0);
      return 0;
    } catch (Exception e) {
      return fail("readlink", path, e);
    }
  }

  @Override
  public int setxattr(String path, String name, Pointer value, @size_t long size, int flags) {
    long start = System.nanoTime();
    return ops.done(FuseOp.SETXATTR, start, doSetxattr(path, name, value, size, flags));
  }

  private int doSetxattr(String path, String name, Pointer value, @size_t long size, int flags) {
    try {
      byte[] v = new byte[(int) size];
      value.get(0, v, 0, v.length);
      xattrs.set(path, name, v, flags);
      return 0;
    } catch (Exception e) {
      return fail("setxattr", path, e);
    }
  }

  @Override
  public int getxattr(String path, String name, Pointer value, @size_t long size) {
    long start = System.nanoTime();
    return ops.done(FuseOp.GETXATTR, start, doGetxattr(path, name, value, size));
  }

  private int doGetxattr(String path, String name, Pointer value, @size_t long size) {
    try {
      return xattrs.get(path, name, value, size);
    } catch (Exception e) {
      return fail("getxattr", path, e);
    }
  }

  @Override
  public int listxattr(String path, Pointer list, @size_t long size) {
    long start = System.nanoTime();
    return ops.done(FuseOp.LISTXATTR, start, doListxattr(path, list, size));
  }

  private int doListxattr(String path, Pointer list, @size_t long size) {
    try {
      return xattrs.list(path, list, size);
    } catch (Exception e) {
      return fail("listxattr", path, e);
    }
  }

  @Override
  public int removexattr(String path, String name) {
    long start = System.nanoTime();
    return ops.done(FuseOp.REMOVEXATTR, start, doRemovexattr(path, name));
  }

  private int doRemovexattr(String path, String name) {
    try {
      xattrs.remove(path, name);
      return 0;
    } catch (Exception e) {
      return fail("removexattr", path, e);
    }
  }

  @Override
  public int create(String path, @mode_t long mode, FuseFileInfo fi) {
    return handles.create(path, mode, fi);
  }

  @Override
  public int open(String path, FuseFileInfo fi) {
    return handles.open(path, fi);
  }

  @Override
  public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
    return handles.read(path, buf, size, offset, fi);
  }

  @Override
  public int write(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
    return handles.write(path, buf, size, offset, fi);
  }

  @Override
  public int flush(String path, FuseFileInfo fi) {
    return handles.flush(path, fi);
  }

  @Override
  public int fsync(String path, int isdatasync, FuseFileInfo fi) {
    return handles.fsync(path, isdatasync, fi);
  }

  @Override
  public int release(String path, FuseFileInfo fi) {
    return handles.release(path, fi);
  }

  @Override
  public int truncate(String path, @off_t long size) {
    return handles.truncate(path, size);
  }

  @Override
  public int ftruncate(String path, @off_t long size, FuseFileInfo fi) {
    return handles.ftruncate(path, size, fi);
  }

  @Override
  public int opendir(String path, FuseFileInfo fi) {
    long start = System.nanoTime();
    return ops.done(FuseOp.OPENDIR, start, doOpendir(path, fi));
  }

  private int doOpendir(String path, FuseFileInfo fi) {
    try {
      fi.fh.set(files.add(new DirectoryHandle(client, path)));
      return 0;
    } catch (Exception e) {
      return fail("opendir", path, e);
    }
  }

  @Override
  public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
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

  @Override
  public int releasedir(String path, FuseFileInfo fi) {
    long start = System.nanoTime();
    return ops.done(FuseOp.RELEASEDIR, start, doReleasedir(path, fi));
  }

  private int doReleasedir(String path, FuseFileInfo fi) {
    files.remove(fi.fh.get());
    return 0;
  }

  /**
   * Capacity and use summed over the live workers: the cache's size, not the under file systems'. Inode counts
   * are not limited; free inodes are reported as plenty.
   */
  @Override
  public int statfs(String path, Statvfs st) {
    long start = System.nanoTime();
    return ops.done(FuseOp.STATFS, start, doStatfs(path, st));
  }

  private int doStatfs(String path, Statvfs st) {
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
   * Existence only: with {@code default_permissions} the kernel checks access(2) against the mode bits itself, so
   * this is rarely asked, and the master could not check for the real caller anyway.
   */
  @Override
  public int access(String path, int mask) {
    long start = System.nanoTime();
    return ops.done(FuseOp.ACCESS, start, doAccess(path, mask));
  }

  private int doAccess(String path, int mask) {
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

  /**
   * Completes files still open for writing and closes read streams; called after unmounting, once no handle
   * callback runs or can start any more (see {@link HandleGate}).
   */
  void closeHandles() {
    gate.close(() -> {
      for (Object h : files.all()) {
        if (h instanceof OpenFile f) {
          try {
            f.close();
          } catch (IOException | RuntimeException e) {
            LOG.warn("{}: not completed at unmount: {}", f.path(), e.getMessage());
          }
        }
      }
    });
  }

  /**
   * The master takes mode 0 at creation for "the default" (0644, 0755), but after the caller's umask 0 can be meant
   * (umask 0777): set it afterwards.
   */
  private void keepZeroMode(String path, long mode) throws RpcException {
    if ((mode & 07777) == 0) {
      client.setMode(path, 0);
    }
  }

  /** A new inode made for another local user (allow_other) becomes theirs; see {@link Handover}. */
  private void ownByCaller(String path) throws RpcException {
    FuseContext ctx = getContext();
    long uid = ctx.uid.get();
    long gid = ctx.gid.get();
    if (uid != mountUid || gid != mountGid) {
      Handover.give(client, path, owners.userName(uid), owners.groupName(gid));
    }
  }

  /** chown(2)'s "leave it": -1, which arrives as the unsigned 32-bit id_t or sign-extended. */
  private static boolean unchanged(long id) {
    return id == -1 || id == 0xFFFF_FFFFL;
  }

  /** libfuse copies the name as a C string; jnr passes the array as is, so it must carry its own NUL. */
  private static ByteBuffer nulTerminated(String name) {
    byte[] b = name.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.wrap(Arrays.copyOf(b, b.length + 1));
  }
}
