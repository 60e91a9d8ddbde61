package io.sluice.fuse;

import io.sluice.client.CreateOptions;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceInputStream;
import io.sluice.client.SluiceOutputStream;
import io.sluice.common.proto.FileInfo;
import java.io.IOException;
import ru.serce.jnrfuse.ErrorCodes;

/**
 * One open file of the mount (what a FUSE {@code fh} names).
 *
 * <p>Reading keeps one {@link SluiceInputStream} per handle, opened on the first read. A FUSE read names its offset;
 * it seeks there and reads, and the stream's seek is lazy, so the usual in-order reads continue one block stream
 * with its read-ahead instead of a round trip per request, while a jump simply reopens at the target.
 *
 * <p>Writing follows what the client can do: a file is written once, in order, from empty, and has its content
 * when the stream closes. So a write must land exactly at the bytes written so far, and a handle may only write a
 * file that is empty: one it created, or an existing one that is empty when the first write comes (e.g. after
 * {@code O_TRUNC}, which the kernel sends as a truncate to 0 right after the open). That existing file is then
 * replaced by an overwriting create. Anything else fails with ENOTSUP and leaves the file as it was.
 *
 * <p>The file is completed when the handle is released, that is when its last descriptor is closed. Not on
 * flush: the kernel sends one for every {@code close(2)} of any descriptor of the open file, and shells and
 * {@code dd} open a file, {@code dup2} it to stdout and close the original before writing anything; a program's
 * forked children flush when they exit. Completing at release is still close-to-open consistent: the kernel
 * queues RELEASE before the closing {@code close(2)} returns, and the single-threaded loop serves requests in
 * order, so an open that follows the close comes after the completion. The cost: a failure to complete can only be
 * logged, release has no caller to tell; {@link #flush} reports a stream that failed earlier, so most failures
 * still reach {@code close(2)}. {@link #fsync} completes at once (only a complete file is durable); later writes
 * of that handle then fail with ENOTSUP.
 *
 * <p>Not thread-safe; the mount's single-threaded loop calls it (see {@link MountOptions}).
 */
final class OpenFile {
  private final SluiceClient client;
  private final boolean writable;
  private String path;
  private SluiceInputStream in;
  private SluiceOutputStream out;
  private boolean completed;
  /** Times set while writing, to set again after completion (which sets the modification time). */
  private TimesChange timesAfterCompletion;

  private OpenFile(SluiceClient client, String path, boolean writable, SluiceOutputStream out) {
    this.client = client;
    this.path = path;
    this.writable = writable;
    this.out = out;
  }

  /** A new file, created now and written by this handle. */
  static OpenFile create(SluiceClient client, String path, int mode) throws IOException {
    SluiceOutputStream out = client.create(path, CreateOptions.defaults().withMode(mode));
    return new OpenFile(client, path, true, out);
  }

  /**
   * An existing file. Opened for reading, its stream is opened now so a missing file or a directory fails the
   * open; opened for writing, nothing changes until the first write (see the class comment).
   */
  static OpenFile open(SluiceClient client, String path, boolean readable, boolean writable) throws IOException {
    // A missing path fails the open, not the first write.
    client.getStatus(path);
    OpenFile f = new OpenFile(client, path, writable, null);
    if (readable && !writable) {
      f.in = client.open(path);
    }
    return f;
  }

  String path() {
    return path;
  }

  /** Follows a rename of the open file. */
  void renamed(String to) {
    path = to;
  }

  /** Bytes this handle has written and not yet completed, or -1 when it is not writing. */
  long writingLength() {
    return out != null && !completed ? out.length() : -1;
  }

  /**
   * Reads up to {@code len} bytes at {@code offset} into {@code dst}.
   *
   * @return bytes read, 0 at or past the end
   */
  int read(long offset, byte[] dst, int len) throws IOException {
    if (out != null && !completed) {
      if (offset >= out.length()) {
        return 0;
      }
      throw new ErrnoException(Errno.notSupported(), path + ": cannot read bytes not yet completed");
    }
    if (in == null) {
      in = client.open(path);
    }
    if (offset >= in.length()) {
      return 0;
    }
    in.seek(offset);
    int done = 0;
    while (done < len) {
      // A read stops at a block's end; go on into the next block so the kernel gets the whole request.
      int n = in.read(dst, done, len - done);
      if (n < 0) {
        break;
      }
      done += n;
    }
    return done;
  }

  /** Writes {@code len} bytes of {@code src} at {@code offset}, which must be where the file ends. */
  void write(long offset, byte[] src, int len) throws IOException {
    if (!writable) {
      throw new ErrnoException(ErrorCodes.EBADF(), path + ": not open for writing");
    }
    if (completed) {
      throw new ErrnoException(Errno.notSupported(), path + ": already completed by an fsync; Sluice files are "
          + "written once");
    }
    if (out == null) {
      startOverwrite(offset);
    }
    if (offset != out.length()) {
      throw new ErrnoException(Errno.notSupported(), path + ": write at " + offset + " but " + out.length()
          + " bytes written; Sluice files are written sequentially");
    }
    out.write(src, 0, len);
  }

  /** First write of a handle on an existing file: only an empty file, from its start, can be written. */
  private void startOverwrite(long offset) throws IOException {
    if (offset != 0) {
      throw new ErrnoException(Errno.notSupported(), path + ": write at " + offset
          + " of an existing file; Sluice files are written sequentially from empty");
    }
    FileInfo info = client.getStatus(path);
    if (info.getLength() != 0) {
      throw new ErrnoException(Errno.notSupported(), path + ": has " + info.getLength()
          + " bytes; Sluice files cannot be modified, only replaced (open with O_TRUNC)");
    }
    out = overwrite(client, path, info);
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

  /** Fails when the file being written has already failed (a worker or the master refused it); else nothing. */
  void flush() throws IOException {
    if (out != null && !completed) {
      out.flush();
    }
  }

  /**
   * Sets {@code c} again once the file is complete: {@code cp -a}, {@code tar x} and {@code rsync -t} set the times
   * before closing, and completing would otherwise overwrite the modification time with its own.
   */
  void setTimesAfterCompletion(TimesChange c) {
    timesAfterCompletion = c;
  }

  /** Completes the file if this handle is writing it; later calls do nothing. */
  void fsync() throws IOException {
    if (out != null && !completed) {
      completed = true;
      out.close();
      TimesChange c = timesAfterCompletion;
      if (c != null && !c.touch()) {
        client.setTimes(path, c.mtimeMs(), c.atimeMs());
      }
    }
  }

  /** Completes what is being written and releases the read stream. */
  void close() throws IOException {
    try {
      fsync();
    } finally {
      if (in != null) {
        in.close();
      }
    }
  }
}
