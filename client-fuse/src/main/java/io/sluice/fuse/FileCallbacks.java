package io.sluice.fuse;

import static io.sluice.fuse.CallbackErrors.fail;

import io.sluice.client.FileEditor;
import io.sluice.client.SluiceClient;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.fuse.loop.SessionLoop;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import jnr.constants.platform.OpenFlags;
import jnr.ffi.Pointer;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.struct.FuseFileInfo;

/**
 * The callbacks of {@link SluiceFuse} that act on file handles: create, open, read, write, flush, fsync, release and
 * truncate. Each enters the {@link HandleGate} (none starts once the mount is closing its handles), is timed in
 * {@link FuseOpMetrics}, and works on the {@link OpenFile}s of {@link OpenFiles}; changes to complete files go
 * through {@link SharedEditors}. See {@link OpenFile} for when what is written becomes visible.
 */
final class FileCallbacks {
  static final int ACCMODE = 3;

  /** What a new file needs beyond its creation (its mode and owner as the caller asked; see NewInodeSetup). */
  interface NewFileSetup {
    /** @return whether it changed the file: its status is then no longer what the create answered */
    boolean created(String path, long mode) throws IOException;
  }

  private final SluiceClient client;
  private final OpenFiles files;
  private final SharedEditors editors;
  private final HandleGate gate;
  private final FuseOpMetrics ops;
  private final NewFileSetup setup;
  private final RecentStatuses statuses;
  private final BackgroundCompletions completions;
  private final LongAdder readRequests = new LongAdder();
  /** READ callbacks running now, and the most that ever ran at once (reads of read-only files run side by side). */
  private final AtomicInteger readsInFlight = new AtomicInteger();
  private final AtomicInteger peakReadsInFlight = new AtomicInteger();
  /** Copies between native request memory and the client's byte[] API, sized for the largest request. */
  private final ThreadLocal<byte[]> scratch = ThreadLocal.withInitial(() -> new byte[MountOptions.MAX_IO]);
  private final RequestBuffers requestBuffers = new RequestBuffers();
  private final SplicedReplies splicedReplies = new SplicedReplies(requestBuffers);

  /**
   * @param statuses the statuses lookups and stats are answered from; an open brings the file's up to date
   * @param completions where a released new file is completed, off the ordered thread
   */
  FileCallbacks(SluiceClient client, OpenFiles files, SharedEditors editors, HandleGate gate, FuseOpMetrics ops,
      NewFileSetup setup, RecentStatuses statuses, BackgroundCompletions completions) {
    this.completions = completions;
    this.client = client;
    this.statuses = statuses;
    this.files = files;
    this.editors = editors;
    this.gate = gate;
    this.ops = ops;
    this.setup = setup;
  }

  /** READ requests the kernel sent so far (not those it served from its page cache). */
  long readRequests() {
    return readRequests.sum();
  }

  /** The most reads that ran at once since the last call. */
  int takePeakReadsInFlight() {
    return peakReadsInFlight.getAndSet(0);
  }

  int create(String path, @mode_t long mode, FuseFileInfo fi) {
    long start = System.nanoTime();
    if (!gate.enter()) {
      return ops.done(FuseOp.CREATE, start, -ErrorCodes.EIO());
    }
    try {
      return ops.done(FuseOp.CREATE, start, doCreate(path, mode, fi));
    } finally {
      gate.exit();
    }
  }

  private int doCreate(String path, @mode_t long mode, FuseFileInfo fi) {
    try {
      NewNames.check(path);
      OpenFile f = OpenFile.create(client, editors, path, (int) (mode & 07777));
      try {
        if (setup.created(path, mode)) {
          f.createdStatusChanged();
        }
      } catch (IOException | RuntimeException e) {
        // The caller gets no handle, so none may stay open: the file stays, empty, as the create made it.
        f.close();
        throw e;
      }
      fi.fh.set(files.add(f));
      statuses.created(path, f.createdTimeMs());
      return 0;
    } catch (Exception e) {
      return fail("create", path, e);
    }
  }

  int open(String path, FuseFileInfo fi) {
    long start = System.nanoTime();
    if (!gate.enter()) {
      return ops.done(FuseOp.OPEN, start, -ErrorCodes.EIO());
    }
    try {
      return ops.done(FuseOp.OPEN, start, doOpen(path, fi));
    } finally {
      gate.exit();
    }
  }

  private int doOpen(String path, FuseFileInfo fi) {
    int flags = fi.flags.get();
    int acc = flags & ACCMODE;
    boolean writable = acc != OpenFlags.O_RDONLY.intValue();
    try {
      if (writable && (flags & OpenFlags.O_TRUNC.intValue()) != 0) {
        int r = doTruncate(path, 0);
        if (r != 0) {
          return r;
        }
      }
      // Close-to-open across mounts: the status as it is now, not as this mount last saw it. The kernel keeps a
      // file's attributes for the attribute timeout and does not ask again at open, so after another client
      // changed the file it would read up to the size it knew (of a file it saw being written: nothing). Forgotten,
      // they are asked for at the first read past that size or stat, and answered from this status: kept in the
      // recent statuses for a stat by path, and by the handle for the first fstat (libfuse's check within the open,
      // whether the page cache is still good).
      long generation = statuses.generation();
      FileInfo status = client.getStatus(path);
      statuses.put(path, status, generation);
      SessionLoop.forgetAttributesOfRequestInode();
      OpenFile f = OpenFile.open(client, editors, path, status, SessionLoop.requestUnique(),
          acc != OpenFlags.O_WRONLY.intValue(), writable, (flags & OpenFlags.O_APPEND.intValue()) != 0);
      fi.fh.set(files.add(f));
      return 0;
    } catch (RpcException e) {
      if (e.status() == Status.NOT_FOUND) {
        // The kernel looked the name up before; it went since (renamed over, or the file libfuse hid for an open
        // descriptor was removed). ESTALE makes the kernel walk the path again, revalidating, and open what the
        // name is now, or say ENOENT if nothing: what open(2) on a local file system gives in that race.
        return fail("open", path, new ErrnoException(ErrorCodes.ESTALE(), e.getMessage() + " since its lookup"));
      }
      return fail("open", path, e);
    } catch (Exception e) {
      return fail("open", path, e);
    }
  }

  /**
   * Whether a READ of {@code fh} may be served beside other requests ({@code SessionLoop}): a file open only for
   * reading, whose reads change nothing but its own read stream.
   */
  boolean readsConcurrently(long fh) {
    OpenFile f = files.get(fh, OpenFile.class);
    return f != null && !f.writable();
  }

  int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
    return serveRead(path, buf, false, size, offset, fi);
  }

  /**
   * READ through libfuse's {@code read_buf} ({@link SplicedReplies}): bytes of a block file on this host are
   * spliced into the reply, the rest read as {@link #read} does. Timed and counted as READ; answers 0 or -errno,
   * the bytes travel in {@code *bufp}.
   */
  int readBuf(String path, Pointer bufp, @size_t long size, @off_t long offset, FuseFileInfo fi) {
    return Math.min(0, serveRead(path, bufp, true, size, offset, fi));
  }

  private int serveRead(String path, Pointer buf, boolean spliced, long size, long offset, FuseFileInfo fi) {
    long start = System.nanoTime();
    if (!gate.enter()) {
      return ops.done(FuseOp.READ, start, -ErrorCodes.EIO());
    }
    peakReadsInFlight.accumulateAndGet(readsInFlight.incrementAndGet(), Math::max);
    try {
      return ops.done(FuseOp.READ, start, doRead(path, buf, spliced, size, offset, fi));
    } finally {
      readsInFlight.decrementAndGet();
      gate.exit();
    }
  }

  /** @param buf the request's buffer, or with {@code spliced} where libfuse wants the reply's {@code fuse_bufvec*} */
  private int doRead(String path, Pointer buf, boolean spliced, long size, long offset, FuseFileInfo fi) {
    readRequests.increment();
    OpenFile f = files.get(fi.fh.get(), OpenFile.class);
    if (f == null) {
      return -ErrorCodes.EBADF();
    }
    try {
      return spliced ? splicedReplies.reply(f, buf, (int) size, offset, scratch(size))
          : f.read(offset, requestBuffers.view(buf, (int) size), scratch(size));
    } catch (Exception e) {
      return fail("read", path, e);
    }
  }

  /** After each request the mount served, on its thread: see {@link SplicedReplies#requestDone}. */
  void requestDone() {
    splicedReplies.requestDone();
  }

  /** Bytes of READ replies spliced from block files ({@link SplicedReplies}). */
  long splicedBytes() {
    return splicedReplies.splicedBytes();
  }

  int write(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
    long start = System.nanoTime();
    if (!gate.enter()) {
      return ops.done(FuseOp.WRITE, start, -ErrorCodes.EIO());
    }
    try {
      return ops.done(FuseOp.WRITE, start, doWrite(path, buf, size, offset, fi));
    } finally {
      gate.exit();
    }
  }

  private int doWrite(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
    OpenFile f = files.get(fi.fh.get(), OpenFile.class);
    if (f == null) {
      return -ErrorCodes.EBADF();
    }
    try {
      byte[] b = scratch(size);
      buf.get(0, b, 0, (int) size);
      if (!f.appends()) {
        f.write(offset, b, (int) size);
        return (int) size;
      }
      // O_APPEND: at the end the mount knows, not at the size the kernel cached (which an open does not refresh, so
      // after another client grew the file the write would overwrite what it appended). While a handle of this mount
      // writes the new file in order, through that handle's stream: the master knows only its finished blocks, and
      // a file still being written cannot be changed in place.
      OpenFile streamer = files.streamingWriter(f.path());
      if (streamer != null) {
        streamer.write(streamer.writingLength(), b, (int) size);
      } else {
        f.write(f.end(), b, (int) size);
      }
      return (int) size;
    } catch (Exception e) {
      return fail("write", path, e);
    }
  }

  int flush(String path, FuseFileInfo fi) {
    long start = System.nanoTime();
    if (!gate.enter()) {
      return ops.done(FuseOp.FLUSH, start, -ErrorCodes.EIO());
    }
    try {
      return ops.done(FuseOp.FLUSH, start, doFlush(path, fi));
    } finally {
      gate.exit();
    }
  }

  private int doFlush(String path, FuseFileInfo fi) {
    OpenFile f = files.get(fi.fh.get(), OpenFile.class);
    if (f == null) {
      return 0;
    }
    try {
      if (f.flush()) {
        files.dropReadStreams(f.path());
      }
      return 0;
    } catch (Exception e) {
      return fail("flush", path, e);
    }
  }

  /** The client can make data durable only by completing the file, so fsync completes it (see {@link OpenFile}). */
  int fsync(String path, int isdatasync, FuseFileInfo fi) {
    long start = System.nanoTime();
    if (!gate.enter()) {
      return ops.done(FuseOp.FSYNC, start, -ErrorCodes.EIO());
    }
    try {
      return ops.done(FuseOp.FSYNC, start, doFsync(path, isdatasync, fi));
    } finally {
      gate.exit();
    }
  }

  private int doFsync(String path, int isdatasync, FuseFileInfo fi) {
    OpenFile f = files.get(fi.fh.get(), OpenFile.class);
    if (f == null) {
      return 0;
    }
    try {
      if (f.fsync()) {
        files.dropReadStreams(f.path());
      }
      return 0;
    } catch (Exception e) {
      return fail("fsync", path, e);
    }
  }

  int release(String path, FuseFileInfo fi) {
    long start = System.nanoTime();
    if (!gate.enter()) {
      return ops.done(FuseOp.RELEASE, start, -ErrorCodes.EIO());
    }
    try {
      return ops.done(FuseOp.RELEASE, start, doRelease(path, fi));
    } finally {
      gate.exit();
    }
  }

  private int doRelease(String path, FuseFileInfo fi) {
    Object h = files.remove(fi.fh.get());
    if (h instanceof OpenFile f) {
      String at = f.path();
      if (f.completesAlone() && completions.submit(at, () -> completeReleased(f))) {
        return 0;  // the release's answer is not the close(2)'s, which flush gave: nothing is lost by not waiting
      }
      try {
        closeReleased(f);
      } catch (Exception e) {
        return fail("release", path, e);
      }
    }
    return 0;
  }

  /** A released file's completion in the background, timed as {@link FuseOp#COMPLETE}; a failure is logged. */
  private void completeReleased(OpenFile f) {
    long start = System.nanoTime();
    int result = -ErrorCodes.EIO();  // what an Error leaves
    try {
      closeReleased(f);
      result = 0;
    } catch (Exception e) {
      result = fail("release", f.path(), e);
    } finally {
      statuses.written();  // what a stat fetched while it ran is stale now
      ops.done(FuseOp.COMPLETE, start, result);
    }
  }

  private void closeReleased(OpenFile f) throws IOException {
    if (f.close()) {
      files.dropReadStreams(f.path());
    }
  }

  /**
   * A handle of this mount writing or changing the file truncates through it (the change then commits with its
   * handles). Otherwise truncation to 0 replaces a non-empty file by an empty one (an overwriting create, completed
   * at once, which works under a mount too): what {@code O_TRUNC} needs, which the kernel sends as this call; the
   * file keeps its mode but gets a new inode, so a reader that has it open keeps reading the old content. Any other
   * size changes the file in place at once (new block versions, DESIGN §3).
   */
  int truncate(String path, @off_t long size) {
    long start = System.nanoTime();
    if (!gate.enter()) {
      return ops.done(FuseOp.TRUNCATE, start, -ErrorCodes.EIO());
    }
    try {
      return ops.done(FuseOp.TRUNCATE, start, doTruncate(path, size));
    } finally {
      gate.exit();
    }
  }

  private int doTruncate(String path, @off_t long size) {
    try {
      OpenFile streaming = files.streamingWriter(path);
      if (streaming != null) {
        streaming.truncate(size);
        return 0;
      }
      FileEditor active = editors.active(path);
      if (active != null) {
        active.truncate(size);
        return 0;
      }
      FileInfo info = client.getStatus(path);
      if (info.getType() == FileType.DIRECTORY) {
        return -ErrorCodes.EISDIR();
      }
      if (size == info.getLength()) {
        return 0;
      }
      // A new empty inode is the cheap truncate to 0, but a file with other names (hard links) must keep its own.
      if (size == 0 && info.getNlink() <= 1) {
        OpenFile.overwrite(client, path, info).close();
      } else {
        FileEditor e = editors.acquire(path);
        try {
          e.truncate(size);
        } finally {
          editors.release(e);
        }
      }
      files.dropReadStreams(path);
      return 0;
    } catch (Exception e) {
      return fail("truncate", path, e);
    }
  }

  int ftruncate(String path, @off_t long size, FuseFileInfo fi) {
    long start = System.nanoTime();
    if (!gate.enter()) {
      return ops.done(FuseOp.FTRUNCATE, start, -ErrorCodes.EIO());
    }
    try {
      return ops.done(FuseOp.FTRUNCATE, start, doTruncate(path, size));
    } finally {
      gate.exit();
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
}
