package io.sluice.fuse;

import io.sluice.client.CreateOptions;
import io.sluice.client.FileEditor;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceInputStream;
import io.sluice.client.SluiceOutputStream;
import io.sluice.client.block.LeaseHold;
import io.sluice.client.block.LocalBlockRange;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.ErrorCodes;

/**
 * One open file of the mount (what a FUSE {@code fh} names).
 *
 * <p>Reading keeps one {@link SluiceInputStream} per handle, opened on the first read. A FUSE read names its offset;
 * it seeks there and reads, and the stream's seek is lazy, so the usual in-order reads continue one block stream
 * with its read-ahead instead of a round trip per request, while a jump simply reopens at the target. While a
 * handle of this mount changes the file, reads go through that change's editor, so they see its writes.
 *
 * <p>Writing has two paths. The fast one: a file this handle created, or an empty one it replaces (after
 * {@code O_TRUNC}, which the kernel sends as a truncate to 0), written in order from its start, streams straight
 * to the workers as a new file ({@link SluiceOutputStream}, no copy). Anything else — a write elsewhere, a read of
 * what it wrote, a truncate, any write to a file with content — changes the complete file in place through the
 * file's {@link FileEditor} (new block versions, DESIGN §3), shared with the mount's other handles of the file by
 * {@link SharedEditors}; a fast-path file is completed first, then changed.
 *
 * <p>When changes become visible: a fast-path file is completed when the handle is released, that is when its
 * last descriptor is closed. Not on flush: the kernel sends one for every {@code close(2)} of any descriptor of
 * the open file, and shells and {@code dd} open a file, {@code dup2} it to stdout and close the original before
 * writing anything, and a script with its output in the file flushes it at every {@code echo >&2}; completing there
 * would push every later write onto the slow path. Completing at release is still close-to-open consistent: within
 * this mount, because the kernel queues RELEASE before the closing {@code close(2)} returns, the loop serves
 * requests in order, and a request about the file waits for a completion still running after its release
 * ({@link BackgroundCompletions}); elsewhere, because {@link #flush} of a file with data tells the master the file is
 * closing ({@link SluiceOutputStream#closing}), so that reads of it on the master wait for the completion that
 * follows (a write takes that back). The cost: a failure to complete can only be logged, release has no caller to tell;
 * {@link #flush} reports a stream that failed earlier, so most failures still reach {@code close(2)}. Changes
 * through an editor are committed at every flush (an empty commit costs nothing) and fsync, so {@code close(2)}
 * reports a failed commit.
 * {@link #fsync} completes a fast-path file at once (only a complete file is durable); later writes of that handle
 * change it through an editor.
 *
 * <p>Thread-safe, one call at a time: the mount's loop serves all requests in order on one thread, except reads of
 * handles open only for reading, which run on reader threads beside it ({@code SessionLoop}). A read through the
 * file's shared editor holds the editor, never this handle's lock while another handle waits for it.
 */
final class OpenFile {
  private static final Logger LOG = LoggerFactory.getLogger(OpenFile.class);
  private final SluiceClient client;
  private final SharedEditors editors;
  private final boolean writable;
  /** Opened with O_APPEND: every write goes at the end of the file as this mount knows it ({@link #end}). */
  private boolean append;
  private String path;
  private SluiceInputStream in;
  /** The fast path: the new file this handle writes in order, until completed. */
  private SluiceOutputStream out;
  /** Whether {@link #takeOwnStatus} has the status {@link #out} was created with to give. */
  private boolean createdStatusHolds;
  /** The status fetched for the open that made this handle, for the fgetattr within that open request only. */
  private FileInfo openedStatus;
  /** The open request ({@code SessionLoop.requestUnique}) that {@link #openedStatus} is for. */
  private long openedRequest;
  private boolean completed;
  /** This handle's hold on the file's shared editor, once it changes the file in place. */
  private FileEditor editor;
  /** Times set while writing, to set again after completion (which sets the modification time). */
  private TimesChange timesAfterCompletion;
  /** The block file the last spliced read named, open under its lease ({@link #localRange}). */
  private final LeasedBlockFile spliced = new LeasedBlockFile();

  private OpenFile(SluiceClient client, SharedEditors editors, String path, boolean writable,
      SluiceOutputStream out) {
    this.client = client;
    this.editors = editors;
    this.path = path;
    this.writable = writable;
    this.out = out;
  }

  /** A new file, created now and written by this handle. */
  static OpenFile create(SluiceClient client, SharedEditors editors, String path, int mode) throws IOException {
    SluiceOutputStream out = client.create(path, CreateOptions.defaults().withMode(mode));
    OpenFile f = new OpenFile(client, editors, path, true, out);
    f.createdStatusHolds = true;
    return f;
  }

  /**
   * Once: the status this handle was made with. After a create, the master's answer to it with the length this handle
   * has written, unless the create was followed by a change of its attributes ({@link #createdStatusChanged}); after
   * an open, the status fetched for it, to {@code request} only if that is the open's own request. It answers
   * libfuse's fgetattr within the create or open request (at an open, auto_cache's check whether the file's pages are
   * still good), which would otherwise cost a master call per file; null when asked before, and later fstat calls
   * ask the master, as ever (by then the handle may have changed the file).
   *
   * @param request the request asking ({@code SessionLoop.requestUnique})
   */
  synchronized FileInfo takeOwnStatus(long request) {
    FileInfo opened = openedStatus;
    if (opened != null) {
      openedStatus = null;
      return request == openedRequest && request != 0 ? opened : null;
    }
    boolean holds = createdStatusHolds && streaming();
    createdStatusHolds = false;
    if (!holds) {
      return null;
    }
    FileInfo s = out.createdStatus();
    // Asked within the create, nothing is written yet: the status as it came.
    return s.getLength() == out.length() ? s : s.toBuilder().setLength(out.length()).build();
  }

  /** For a handle made by a create, before anything else: the time the master stamped the new file with. */
  synchronized long createdTimeMs() {
    return out.createdStatus().getMtimeMs();
  }

  /** The create's own setup changed the new file's mode or owner: {@link #takeOwnStatus} has nothing. */
  synchronized void createdStatusChanged() {
    createdStatusHolds = false;
  }

  /**
   * An existing file, whose status {@code status} the caller has just asked for (so a missing path fails the open,
   * not the first write). Opened for reading, its stream is opened now so a directory fails the open; opened for
   * writing, nothing changes until the first write (see the class comment).
   *
   * @param request the open request ({@code SessionLoop.requestUnique}), within which {@code status} answers
   * @param append opened with O_APPEND: the caller passes every write the offset {@link #end} gives
   */
  static OpenFile open(SluiceClient client, SharedEditors editors, String path, FileInfo status, long request,
      boolean readable, boolean writable, boolean append) throws IOException {
    OpenFile f = new OpenFile(client, editors, path, writable, null);
    f.openedStatus = status;
    f.openedRequest = request;
    f.append = append;
    if (readable && !writable) {
      f.in = client.open(path);
    }
    return f;
  }

  synchronized String path() {
    return path;
  }

  /** Follows a rename of the open file. */
  synchronized void renamed(String to) {
    path = to;
  }

  /** Whether this handle was opened for writing. */
  boolean writable() {
    return writable;
  }

  /** Whether this handle writes the file: on the fast path or through an editor. */
  synchronized boolean writing() {
    return streaming() || editor != null;
  }

  /** Bytes this handle has written on the fast path and not yet completed, or -1 when it is not on it. */
  synchronized long writingLength() {
    return streaming() ? out.length() : -1;
  }

  private boolean streaming() {
    return out != null && !completed;
  }

  /**
   * Reads up to {@code dst.remaining()} bytes at {@code offset} into {@code dst} (the FUSE request's native buffer:
   * a short-circuit read fills it straight from the block file), advancing its position.
   *
   * @param scratch a heap array at least as large as {@code dst}, for reads through this mount's editor
   * @return bytes read, 0 at or past the end
   */
  synchronized int read(long offset, ByteBuffer dst, byte[] scratch) throws IOException {
    if (streaming()) {
      if (offset >= out.length()) {
        return 0;
      }
      changeInPlace();
    }
    FileEditor e = editor != null ? editor : editors.active(path);
    if (e != null) {
      int n = Math.max(e.read(offset, scratch, 0, dst.remaining()), 0);
      dst.put(scratch, 0, n);
      return n;
    }
    if (in == null) {
      in = client.open(path);
    }
    if (offset >= in.length()) {
      return 0;
    }
    in.seek(offset);
    int done = 0;
    while (dst.hasRemaining()) {
      // A read stops at a block's end; go on into the next block so the kernel gets the whole request.
      int n = in.read(dst);
      if (n < 0) {
        break;
      }
      done += n;
    }
    return done;
  }

  /**
   * The bytes at {@code offset}, {@code size} of them or up to the end of the file, where they lie in one block file
   * on this host, with that file open under the lease that keeps it there ({@link LeasedBlockFile}): when the
   * client names them rather than reading them ({@link SluiceInputStream#readLocal}: short-circuit). The
   * read stream moves past them. Null when they must be {@link #read} instead: this handle or another of the mount
   * changes the file, or the bytes are not in one block file here.
   *
   * <p>The descriptor stays open, and the lease held, until {@code holds} releases them once the reply naming them
   * has gone out, whatever this handle's stream does meanwhile on other threads (moves on, is dropped, closes).
   *
   * @throws IOException as {@link #read} would for those bytes
   */
  synchronized SplicedRange localRange(long offset, int size, ReplyHolds holds) throws IOException {
    if (streaming() || editor != null || editors.active(path) != null) {
      return null;
    }
    if (in == null) {
      in = client.open(path);
    }
    if (offset >= in.length()) {
      return null;
    }
    in.seek(offset);
    LocalBlockRange r = in.readLocal(size);
    if (r == null) {
      return null;
    }
    LeaseHold lease = r.hold();
    if (lease == null) {
      return null;  // the stream's lease ended as it named the range: read() reads the same bytes
    }
    // Released after the reply, whatever happens from here.
    holds.add(lease::release);
    int fd;
    try {
      fd = spliced.descriptor(r.file(), r.lease());
    } catch (IOException e) {
      // Rare (the file went from under its lease): read() reads the same bytes, going back to them.
      LOG.debug("{}: not splicing the read at {}: {}", path, offset, e.toString());
      return null;
    }
    holds.add(spliced.hold());
    return new SplicedRange(fd, r.offset(), r.length());
  }

  /** A file descriptor and the {@code length} bytes at {@code position} in it. */
  record SplicedRange(int fd, long position, int length) {}

  /** Writes {@code len} bytes of {@code src} at {@code offset}. */
  synchronized void write(long offset, byte[] src, int len) throws IOException {
    if (!writable) {
      throw new ErrnoException(ErrorCodes.EBADF(), path + ": not open for writing");
    }
    if (streaming() && offset == out.length()) {
      out.write(src, 0, len);
      return;
    }
    if (editor == null && out == null && offset == 0 && editors.active(path) == null) {
      FileInfo info = client.getStatus(path);
      // Not for a file with other names (hard links): the fast path replaces the inode, which they would not see.
      if (info.getLength() == 0 && info.getNlink() <= 1) {
        out = overwrite(client, path, info);
        out.write(src, 0, len);
        return;
      }
    }
    changeInPlace();
    editor.write(offset, src, 0, len);
  }

  /** Whether this handle was opened with O_APPEND. */
  boolean appends() {
    return append;
  }

  /**
   * The end of the file for an O_APPEND write, when no handle of the mount writes it on the fast path (the caller
   * asks {@link OpenFiles#streamingWriter} first). The kernel sends such a write at the size it caches, which it
   * keeps for the attribute timeout and an open does not refresh: after another client grew the file it would
   * overwrite what that client appended. So the offset comes from here: what this mount writes, else the master.
   */
  synchronized long end() throws IOException {
    if (streaming()) {
      return out.length();
    }
    FileEditor e = editor != null ? editor : editors.active(path);
    return e != null ? e.length() : client.getStatus(path).getLength();
  }

  /** Sets the file's length: the fast path only when it already is that long, else through the editor. */
  synchronized void truncate(long length) throws IOException {
    if (streaming() && length == out.length()) {
      return;
    }
    changeInPlace();
    editor.truncate(length);
  }

  /** Moves this handle to the file's editor, completing first what it wrote on the fast path. */
  private void changeInPlace() throws IOException {
    if (streaming()) {
      complete();
    }
    if (editor == null) {
      editor = editors.acquire(path);
    }
  }

  /**
   * Replaces the file at {@code path} by an empty one being written, with {@code old}'s mode, owner and group (a new
   * inode: xattrs and times are not carried over).
   */
  static SluiceOutputStream overwrite(SluiceClient client, String path, FileInfo old) throws IOException {
    SluiceOutputStream out = client.create(path, CreateOptions.defaults().withMode(old.getMode() & 07777)
        .withOverwrite(true));
    try {
      Handover.give(client, path, old.getOwner(), old.getGroup());
    } catch (IOException e) {
      out.close();
      throw e;
    }
    return out;
  }

  /**
   * On {@code close(2)}: fails when the fast-path file has already failed (a worker or the master refused it);
   * commits changes made through an editor.
   *
   * @return whether the file changed (see {@link #dropReadStream})
   */
  synchronized boolean flush() throws IOException {
    if (streaming()) {
      out.flush();
      try {
        // The completion comes at release, after close(2) has returned: readers elsewhere wait for it. Not for an
        // empty file (it reads the same incomplete), nor at the close of the original after a dup2, before writing.
        if (out.length() > 0) {
          out.closing();
        }
      } catch (RpcException e) {
        LOG.debug("{}: readers elsewhere will not wait for its completion: {}", path, e.toString());
      }
    }
    return commit();
  }

  /**
   * Forgets the read stream, which holds the file's block list as it was opened: after this mount changed the
   * file, the next read opens it again and sees the change.
   */
  synchronized void dropReadStream() throws IOException {
    spliced.close();
    if (in != null) {
      SluiceInputStream old = in;
      in = null;
      old.close();
    }
  }

  /**
   * Sets {@code c} again once the file is complete: {@code cp -a}, {@code tar x} and {@code rsync -t} set the times
   * before closing, and completing would otherwise overwrite the modification time with its own.
   */
  synchronized void setTimesAfterCompletion(TimesChange c) {
    timesAfterCompletion = c;
  }

  /**
   * Makes what this handle wrote durable: completes the fast-path file, commits the editor's changes.
   *
   * @return whether the file changed
   */
  synchronized boolean fsync() throws IOException {
    boolean completing = streaming();
    if (completing) {
      complete();
    }
    return commit() || completing;
  }

  /** Commits the editor's changes, then sets times a program set while writing (see the fast path's). */
  private boolean commit() throws IOException {
    if (editor == null || !editor.dirty()) {
      return false;
    }
    editor.commit();
    TimesChange c = timesAfterCompletion;
    if (c != null && !c.touch()) {
      timesAfterCompletion = null;
      client.setTimes(path, c.mtimeMs(), c.atimeMs());
    }
    return true;
  }

  private void complete() throws IOException {
    completed = true;
    out.close();
    TimesChange c = timesAfterCompletion;
    if (c != null && !c.touch()) {
      client.setTimes(path, c.mtimeMs(), c.atimeMs());
    }
  }

  /**
   * Completes or commits what is being written and releases the read stream.
   *
   * @return whether the file changed
   */
  /**
   * Whether {@link #close} only completes the new file this handle streamed (the fast path, no editor held), which
   * touches nothing of the mount but the file: what may run after the release has returned
   * ({@link BackgroundCompletions}).
   */
  synchronized boolean completesAlone() {
    return streaming() && editor == null;
  }

  synchronized boolean close() throws IOException {
    boolean changed = false;
    try {
      if (streaming()) {
        changed = true;
        complete();
      }
      changed |= commit();
    } finally {
      try {
        if (editor != null) {
          FileEditor e = editor;
          editor = null;
          editors.release(e);
        }
      } finally {
        dropReadStream();
      }
    }
    return changed;
  }
}
