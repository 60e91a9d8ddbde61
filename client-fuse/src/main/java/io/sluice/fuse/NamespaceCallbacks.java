package io.sluice.fuse;

import static io.sluice.fuse.CallbackErrors.fail;

import io.sluice.client.SluiceClient;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.nio.charset.StandardCharsets;
import jnr.ffi.Pointer;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.size_t;
import ru.serce.jnrfuse.ErrorCodes;

/**
 * The callbacks of {@link SluiceFuse} that change or read names: mkdir, rmdir, unlink, rename, symlink, link and
 * readlink. Each is timed in {@link FuseOpMetrics}; a rename is followed by the handles of {@link OpenFiles} and
 * the editors of {@link SharedEditors} that know the file by its path.
 *
 * <p>Hard links ({@link #link}) are names of one inode on the master, but libfuse2's high-level API gives each path
 * its own kernel inode, and this mount tracks open files by path: two names of a file are cached apart by the
 * kernel (attributes for the attribute timeout), and a change through one is seen through the other at the next
 * open after it was committed (close-to-open), as from another client.
 */
final class NamespaceCallbacks {
  private final SluiceClient client;
  private final OpenFiles files;
  private final SharedEditors editors;
  private final NewInodeSetup newInodes;
  private final FuseOpMetrics ops;

  NamespaceCallbacks(SluiceClient client, OpenFiles files, SharedEditors editors, NewInodeSetup newInodes,
      FuseOpMetrics ops) {
    this.client = client;
    this.files = files;
    this.editors = editors;
    this.newInodes = newInodes;
    this.ops = ops;
  }

  int mkdir(String path, @mode_t long mode) {
    long start = System.nanoTime();
    return ops.done(FuseOp.MKDIR, start, doMkdir(path, mode));
  }

  private int doMkdir(String path, @mode_t long mode) {
    try {
      NewNames.check(path);
      // The kernel applied the caller's umask already.
      client.mkdir(path, false, (int) (mode & 07777));
      newInodes.created(path, mode);
      return 0;
    } catch (Exception e) {
      return fail("mkdir", path, e);
    }
  }

  int rmdir(String path) {
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

  int unlink(String path) {
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
  int rename(String from, String to) {
    long start = System.nanoTime();
    return ops.done(FuseOp.RENAME, start, doRename(from, to));
  }

  private int doRename(String from, String to) {
    try {
      // Not NewNames.check: libfuse2 has already moved an open target away to a hidden name (MountOptions) before
      // it asks, and a refusal now would leave it there, to be removed at its last close. A target with U+FFFD in
      // its name may exist (made by another client), so only what cannot exist is refused.
      NewNames.checkLength(to);
      client.renameReplacing(from, to);
      files.renamed(from, to);
      editors.renamed(from, to);
      return 0;
    } catch (Exception e) {
      return fail("rename", from + " -> " + to, e);
    }
  }

  /** jnr-fuse passes symlink(2)'s arguments in its order: the target first, then the link's path. */
  int symlink(String target, String link) {
    long start = System.nanoTime();
    return ops.done(FuseOp.SYMLINK, start, doSymlink(target, link));
  }

  private int doSymlink(String target, String link) {
    try {
      NewNames.check(link);
      NewNames.checkText(target);
      client.createSymlink(link, target);
      newInodes.ownByCaller(link);
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
  int link(String oldpath, String newpath) {
    long start = System.nanoTime();
    return ops.done(FuseOp.LINK, start, doLink(oldpath, newpath));
  }

  private int doLink(String oldpath, String newpath) {
    try {
      NewNames.check(newpath);
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
  int readlink(String path, Pointer buf, @size_t long size) {
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
}
