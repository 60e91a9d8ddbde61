package io.sluice.fuse.loop;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.PointerByReference;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import ru.serce.jnrfuse.struct.FuseOperations;

/**
 * The parts of libfuse2's session API (fuse_common.h, fuse_lowlevel.h, 2.9) that {@link SessionLoop} drives:
 * {@code fuse_main} is {@code fuse_setup}, a loop of {@code fuse_session_receive_buf} and
 * {@code fuse_session_process_buf}, and {@code fuse_teardown}; running that loop ourselves lets Java threads that
 * live as long as the mount serve requests, where libfuse's own multi-threaded loop starts and ends native threads.
 */
public interface LibFuseSession {
  /** Parses the arguments, mounts and creates the file system; null on failure (libfuse printed why). */
  Pointer fuse_setup(int argc, String[] argv, FuseOperations op, @size_t long opSize, PointerByReference mountpoint,
      IntByReference multithreaded, Pointer userData);

  /** Unmounts (when still mounted) and destroys the file system ({@code destroy} runs). */
  void fuse_teardown(Pointer fuse, Pointer mountpoint);

  Pointer fuse_get_session(Pointer fuse);

  Pointer fuse_session_next_chan(Pointer se, Pointer ch);

  @size_t long fuse_chan_bufsize(Pointer ch);

  /**
   * Reads one request into {@code buf} (a {@code struct fuse_buf}); its size, negative errno (-EINTR, -EAGAIN:
   * try again), or 0 once the file system was unmounted.
   */
  int fuse_session_receive_buf(Pointer se, Pointer buf, PointerByReference chp);

  /** Serves one request: calls the file system's operation and sends the reply. */
  void fuse_session_process_buf(Pointer se, Pointer buf, Pointer ch);

  /**
   * Tells the kernel to forget what it caches of inode {@code ino}: its attributes, and with {@code off} >= 0 the
   * page cache from {@code off} for {@code len} bytes (0: to the end). 0 or negative errno (-ENOENT: not cached).
   */
  int fuse_lowlevel_notify_inval_inode(Pointer ch, long ino, @off_t long off, @off_t long len);

  int fuse_session_exited(Pointer se);

  void fuse_session_exit(Pointer se);

  /** Loads libfuse2 (the versioned name first: the unversioned one exists only with the -dev package). */
  static LibFuseSession load() {
    try {
      return LibraryLoader.create(LibFuseSession.class).failImmediately().load("libfuse.so.2");
    } catch (LinkageError e) {
      return LibraryLoader.create(LibFuseSession.class).failImmediately().load("fuse");
    }
  }
}
