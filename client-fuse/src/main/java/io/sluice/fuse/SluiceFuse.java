package io.sluice.fuse;

import com.sun.security.auth.module.UnixSystem;
import io.sluice.client.SluiceClient;
import io.sluice.fuse.loop.SessionLoop;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jnr.constants.platform.OpenFlags;
import jnr.ffi.Pointer;
import jnr.ffi.types.gid_t;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.uid_t;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * The Sluice namespace as a FUSE file system: each callback translates to one {@link SluiceClient} call and maps
 * failures to errno through {@link Errno} (STYLE 9, 11). This class mounts, serves and unmounts; the callbacks are
 * served by one class per group: {@link AttributeCallbacks}, {@link NamespaceCallbacks}, {@link FileCallbacks}
 * (file handles), {@link DirectoryCallbacks} and {@link XattrCallbacks}. Open files and directories live in
 * {@link OpenFiles}; random writes, truncate and appends change complete files through {@link SharedEditors}; see
 * {@link OpenFile} for when what is written becomes visible.
 *
 * <p>Not implemented, so libfuse answers ENOSYS: mknod, lock/flock, fallocate. The client has no call for them.
 *
 * <p>Metrics: each callback is timed in its callback class, around its one translation (the private {@code doX}),
 * into {@link FuseOpMetrics} with the errno it answers; jnr-fuse calls each callback directly, so there is no one
 * dispatch point to time them in. Failures are logged and mapped in one place ({@link CallbackErrors}).
 *
 * <p>Threads: {@code SessionLoop} serves requests one at a time in kernel order, except reads of files open only
 * for reading, which may run beside them on the mount's read threads (see {@link MountOptions}); what those reads
 * touch (the handle table, {@link OpenFile}, the shared editors) is thread-safe, and scratch buffers are per thread.
 * A released new file is completed on a thread of {@link BackgroundCompletions}; every callback first waits for
 * the completions of the paths it names (of those under it, for a directory).
 */
public class SluiceFuse extends FuseStubFS {
  private static final Logger LOG = LoggerFactory.getLogger(SluiceFuse.class);

  private final OpenFiles files = new OpenFiles();
  private final HandleGate gate = new HandleGate();
  private final AttributeCallbacks attributes;
  private final NamespaceCallbacks namespace;
  private final XattrCallbacks xattrs;
  private final FileCallbacks handles;
  private final DirectoryCallbacks directories;
  private final RecentStatuses statuses;
  /** Released new files being completed off the ordered thread; each callback first waits for those it concerns. */
  private final BackgroundCompletions completions;

  /**
   * A file system over {@code client}, which the caller keeps and closes after unmounting, timing every callback in
   * {@code ops}, answering lookups from {@code statuses} while they are fresh, listing ahead of lookups that walk
   * a directory in name order when {@code statAhead} ({@link StatAhead}).
   */
  private SluiceFuse(SluiceClient client, FuseOpMetrics ops, RecentStatuses statuses, boolean statAhead,
      int backgroundCompletions) {
    this.statuses = statuses;
    this.completions = new BackgroundCompletions(backgroundCompletions);
    ops.bindHandles(files, OpenFiles::size);
    StatAhead ahead = new StatAhead(statAhead, (d, name) -> client.listStatus(d, name).firstPage(), statuses);
    ops.bindStatAhead(ahead, StatAhead::entriesKept);
    UnixSystem me = new UnixSystem();
    OwnerMapping owners = new OwnerMapping(new NativeAccounts(), me.getUid(), me.getGid(), System::nanoTime);
    SharedEditors editors = new SharedEditors(client);
    NewInodeSetup newInodes = new NewInodeSetup(client, owners, me.getUid(), me.getGid(), this::getContext);
    this.attributes = new AttributeCallbacks(client, files, editors, owners, statuses, ahead, ops);
    this.namespace = new NamespaceCallbacks(client, files, editors, newInodes, ops);
    this.xattrs = new XattrCallbacks(new ExtendedAttributes(client, statuses), ops);
    this.handles = new FileCallbacks(client, files, editors, gate, ops, newInodes, statuses, completions);
    this.directories = new DirectoryCallbacks(client, files, statuses, ops);
    ops.bindSpliced(handles, FileCallbacks::splicedBytes);
    OperationFlags.set(fuseOperations);
  }

  /**
   * The file system {@code options} ask for: one whose reads splice from block files on this host
   * ({@link MountOptions#splice()}) or one that copies them; libfuse calls {@code read_buf} instead of {@code read}
   * whenever a file system has it, so only the first has it.
   */
  static SluiceFuse of(SluiceClient client, FuseOpMetrics ops, MountOptions options) {
    RecentStatuses statuses = options.recentStatuses();
    return options.splice() ? new Splicing(client, ops, statuses, options.statAhead(), options.backgroundCompletions())
        : new SluiceFuse(client, ops, statuses, options.statAhead(), options.backgroundCompletions());
  }

  /** Answers READ by libfuse's {@code read_buf} ({@link SplicedReplies}). */
  private static final class Splicing extends SluiceFuse {
    Splicing(SluiceClient client, FuseOpMetrics ops, RecentStatuses statuses, boolean statAhead, int completions) {
      super(client, ops, statuses, statAhead, completions);
    }

    @Override
    public int read_buf(String path, Pointer bufp, @size_t long size, @off_t long off, FuseFileInfo fi) {
      return readSpliced(path, bufp, size, off, fi);
    }
  }

  /** READ by {@code read_buf}: {@link Splicing}'s way to the handles. */
  final int readSpliced(String path, Pointer bufp, long size, long off, FuseFileInfo fi) {
    completions.await(path);
    return handles.readBuf(path, bufp, size, off, fi);
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
          handles::readsConcurrently, handles::requestDone, "sluice-fuse");
    } catch (IOException | RuntimeException e) {
      mounted.set(false);
      throw e;
    }
  }

  /** Waits until the kernel connected this file system; false when {@code timeout} passed first. */
  boolean awaitConnected(Duration timeout) throws InterruptedException {
    return connected.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Waits until libfuse's loop ended; false when {@code timeout} passed first. */
  boolean awaitEnded(Duration timeout) throws InterruptedException {
    return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
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

  /**
   * Tells jnr-fuse the mount is gone ({@link FuseMount} unmounted it and waited), so its own shutdown hook does not
   * start another {@code fusermount}.
   */
  void unmounted() {
    mounted.set(false);
  }

  /**
   * Waits for the released files being completed, completes files still open for writing and closes read streams;
   * called after unmounting, once no handle callback runs or can start any more (see {@link HandleGate}).
   */
  void closeHandles() {
    gate.close(() -> {
      completions.close();
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

  /** Passes on what a callback that may have changed something answered, once it is done ({@link RecentStatuses}). */
  private int changed(int result) {
    statuses.changed();
    return result;
  }

  /**
   * For what ends a file's writing or commits its change (flush, fsync, release): its content, length and times
   * change, as by a WRITE, not a name, an xattr or a directory ({@link RecentStatuses#written}).
   */
  private int written(int result) {
    statuses.written();
    return result;
  }

  @Override
  public int getattr(String path, FileStat stat) {
    completions.await(path);
    return attributes.getattr(path, stat);
  }

  @Override
  public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
    completions.await(path);
    return attributes.fgetattr(path, stat, fi.fh.get());
  }

  @Override
  public int chmod(String path, @mode_t long mode) {
    completions.await(path);
    return changed(attributes.chmod(path, mode));
  }

  @Override
  public int chown(String path, @uid_t long uid, @gid_t long gid) {
    completions.await(path);
    return changed(attributes.chown(path, uid, gid));
  }

  @Override
  public int utimens(String path, Timespec[] timespec) {
    completions.await(path);
    return changed(attributes.utimens(path, timespec));
  }

  @Override
  public int access(String path, int mask) {
    completions.await(path);
    return attributes.access(path, mask);
  }

  @Override
  public int statfs(String path, Statvfs st) {
    return attributes.statfs(path, st);
  }

  @Override
  public int mkdir(String path, @mode_t long mode) {
    completions.await(path);
    return changed(namespace.mkdir(path, mode));
  }

  @Override
  public int rmdir(String path) {
    completions.awaitUnder(path);
    return changed(namespace.rmdir(path));
  }

  @Override
  public int unlink(String path) {
    completions.await(path);
    return changed(namespace.unlink(path));
  }

  @Override
  public int rename(String from, String to) {
    completions.awaitUnder(from);
    completions.awaitUnder(to);
    return changed(namespace.rename(from, to));
  }

  @Override
  public int symlink(String target, String link) {
    completions.await(link);
    return changed(namespace.symlink(target, link));
  }

  @Override
  public int link(String oldpath, String newpath) {
    completions.await(oldpath);
    completions.await(newpath);
    return changed(namespace.link(oldpath, newpath));
  }

  @Override
  public int readlink(String path, Pointer buf, @size_t long size) {
    completions.await(path);
    return namespace.readlink(path, buf, size);
  }

  @Override
  public int setxattr(String path, String name, Pointer value, @size_t long size, int flags) {
    completions.await(path);
    return changed(xattrs.setxattr(path, name, value, size, flags));
  }

  @Override
  public int getxattr(String path, String name, Pointer value, @size_t long size) {
    completions.await(path);
    return xattrs.getxattr(path, name, value, size);
  }

  @Override
  public int listxattr(String path, Pointer list, @size_t long size) {
    completions.await(path);
    return xattrs.listxattr(path, list, size);
  }

  @Override
  public int removexattr(String path, String name) {
    completions.await(path);
    return changed(xattrs.removexattr(path, name));
  }

  @Override
  public int create(String path, @mode_t long mode, FuseFileInfo fi) {
    completions.await(path);
    // The statuses are told by the create itself when it made the file (RecentStatuses.created), else here.
    int r = handles.create(path, mode, fi);
    if (r != 0) {
      statuses.changed();
    } else {
      // A new file has no xattrs: the kernel's probe before its first WRITE needs no master call.
      statuses.putNoXattrs(path, statuses.xattrGeneration());
    }
    return r;
  }

  @Override
  public int open(String path, FuseFileInfo fi) {
    completions.await(path);
    int r = handles.open(path, fi);
    // An open for writing may truncate (O_TRUNC) or start changing the file; one for reading changes nothing.
    return (fi.flags.get() & FileCallbacks.ACCMODE) == OpenFlags.O_RDONLY.intValue() ? r : changed(r);
  }

  @Override
  public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
    completions.await(path);
    return handles.read(path, buf, size, offset, fi);
  }

  @Override
  public int write(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
    completions.await(path);
    int r = handles.write(path, buf, size, offset, fi);
    statuses.written(); // not changed(): what the kernel's probe before the next WRITE asks is still known
    return r;
  }

  @Override
  public int flush(String path, FuseFileInfo fi) {
    completions.await(path);
    return written(handles.flush(path, fi));
  }

  @Override
  public int fsync(String path, int isdatasync, FuseFileInfo fi) {
    completions.await(path);
    return written(handles.fsync(path, isdatasync, fi));
  }

  @Override
  public int release(String path, FuseFileInfo fi) {
    completions.await(path);
    return written(handles.release(path, fi));
  }

  @Override
  public int truncate(String path, @off_t long size) {
    completions.await(path);
    return changed(handles.truncate(path, size));
  }

  @Override
  public int ftruncate(String path, @off_t long size, FuseFileInfo fi) {
    completions.await(path);
    return changed(handles.ftruncate(path, size, fi));
  }

  @Override
  public int opendir(String path, FuseFileInfo fi) {
    completions.awaitUnder(path);
    return directories.opendir(path, fi);
  }

  @Override
  public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
    completions.awaitUnder(path);
    return directories.readdir(path, buf, filler, offset, fi);
  }

  @Override
  public int releasedir(String path, FuseFileInfo fi) {
    return directories.releasedir(path, fi);
  }
}
