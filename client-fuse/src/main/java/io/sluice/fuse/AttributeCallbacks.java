package io.sluice.fuse;

import static io.sluice.fuse.CallbackErrors.fail;

import io.sluice.client.FileEditor;
import io.sluice.client.SluiceClient;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.GetClusterInfoResponse;
import io.sluice.common.proto.WorkerSummary;
import io.sluice.common.rpc.RpcException;
import io.sluice.fuse.loop.SessionLoop;
import jnr.ffi.types.gid_t;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.uid_t;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * The callbacks of {@link SluiceFuse} that read or set what the kernel knows of an inode and of the file system:
 * getattr, fgetattr, chmod, chown, utimens, access and statfs. Each is timed in {@link FuseOpMetrics}. A file this
 * mount is writing or changing reports the length its handle ({@link OpenFiles}) or editor ({@link SharedEditors})
 * knows.
 *
 * <p>Permissions: the master sees every request as the mount's user, so the kernel checks the caller against the
 * mode, owner and group this mount reports ({@code default_permissions}, see {@link MountOptions}). Owners and
 * groups are names in Sluice and ids here; {@link OwnerMapping} translates.
 */
final class AttributeCallbacks {
  private static final long STATFS_BLOCK = 4096;

  private final SluiceClient client;
  private final OpenFiles files;
  private final SharedEditors editors;
  private final OwnerMapping owners;
  private final Attributes attributes;
  private final RecentStatuses statuses;
  private final StatAhead statAhead;
  private final FuseOpMetrics ops;

  AttributeCallbacks(SluiceClient client, OpenFiles files, SharedEditors editors, OwnerMapping owners,
      RecentStatuses statuses, StatAhead statAhead, FuseOpMetrics ops) {
    this.client = client;
    this.files = files;
    this.editors = editors;
    this.owners = owners;
    this.attributes = new Attributes(owners);
    this.statuses = statuses;
    this.statAhead = statAhead;
    this.ops = ops;
  }

  /**
   * A lookup or stat by path: answered from a status fetched moments ago when there is one; one the master answered
   * may start a stat-ahead ({@link StatAhead}).
   */
  int getattr(String path, FileStat stat) {
    long start = System.nanoTime();
    return ops.done(FuseOp.GETATTR, start, doGetattr(path, stat, statuses.get(path), statAhead));
  }

  private int doGetattr(String path, FileStat stat, FileInfo recent, StatAhead ahead) {
    try {
      FileInfo info = recent;
      if (info == null) {
        NewNames.checkLookup(path);
        long generation = statuses.generation();
        info = client.getStatus(path);
        statuses.put(path, info, generation);
        if (ahead != null) {
          ahead.found(path, generation);
        }
      }
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

  /**
   * An fstat, and libfuse's check at each open whether the file's cached pages are still good: asked of the master,
   * never of the recent statuses; only the one libfuse makes within a create or an open is answered by the handle,
   * from the status fetched for it then.
   */
  int fgetattr(String path, FileStat stat, long fh) {
    long start = System.nanoTime();
    OpenFile f = files.get(fh, OpenFile.class);
    // Within a create or an open, libfuse asks for the file's attributes: the handle has them from its making.
    FileInfo own = f == null ? null : f.takeOwnStatus(SessionLoop.requestUnique());
    return ops.done(FuseOp.FGETATTR, start, doGetattr(path, stat, own, null));
  }

  /** The mode's file-type bits are the kernel's business; the master keeps the permission bits (07777). */
  int chmod(String path, @mode_t long mode) {
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
  int chown(String path, @uid_t long uid, @gid_t long gid) {
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

  /** chown(2)'s "leave it": -1, which arrives as the unsigned 32-bit id_t or sign-extended. */
  private static boolean unchanged(long id) {
    return id == -1 || id == 0xFFFF_FFFFL;
  }

  int utimens(String path, Timespec[] timespec) {
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

  /**
   * Existence only: with {@code default_permissions} the kernel checks access(2) against the mode bits itself, so
   * this is rarely asked, and the master could not check for the real caller anyway.
   */
  int access(String path, int mask) {
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
   * Capacity and use summed over the live workers: the cache's size, not the under file systems'. Inode counts
   * are not limited; free inodes are reported as plenty.
   */
  int statfs(String path, Statvfs st) {
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
}
