package io.sluice.fuse;

import io.sluice.client.block.LocalBlockRange;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import jnr.constants.platform.OpenFlags;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * The block file a handle's last spliced read named, open as a native descriptor for libfuse to splice from. It is
 * opened again for every new short-circuit lease, not kept per path: once a lease ends the worker may evict the
 * block and reuse its file, under another name, for another block, and a descriptor kept from before would then
 * read that block's bytes. One at a time: a new lease's file lets go of the old one, as does the handle's release;
 * a descriptor closes when let go of and no reply still holds it ({@link #hold}). Until then a descriptor may
 * outlive its lease, unused (it only keeps a removed file's space a while).
 */
final class LeasedBlockFile {
  private static final POSIX POSIX = POSIXFactory.getNativePOSIX();
  private static final int FLAGS = OpenFlags.O_RDONLY.intValue() | OpenFlags.O_CLOEXEC.intValue();

  private long lease;
  private Descriptor open;

  /**
   * A descriptor of {@code file}, opened now unless it is open under {@code lease} already (the number of a
   * {@link LocalBlockRange#lease}).
   */
  int descriptor(Path file, long lease) throws IOException {
    if (open != null && lease == this.lease) {
      return open.fd;
    }
    close();
    int d = POSIX.open(file.toString(), FLAGS, 0);
    if (d < 0) {
      throw new IOException("cannot open " + file + ": "
          // Fully qualified: this package's Errno maps failures to numbers, jnr's names them.
          + jnr.constants.platform.Errno.valueOf(POSIX.errno()));
    }
    open = new Descriptor(d);
    this.lease = lease;
    return d;
  }

  /**
   * Keeps the descriptor {@link #descriptor} last gave open, even past {@link #close}, until the returned release
   * runs, which must be once ({@link ReplyHolds} runs each release once): for a reply that names it and is sent
   * after the callback returns.
   */
  Runnable hold() {
    Descriptor d = open;
    d.refs.incrementAndGet();
    return d::release;
  }

  /** Lets go of the descriptor, if one is open: it closes now, or when the last reply holding it is sent. */
  void close() {
    if (open != null) {
      open.release();
      open = null;
    }
  }

  /** A native descriptor, closed at its last release: one for the handle's, one for each reply holding it. */
  private static final class Descriptor {
    final int fd;
    final AtomicInteger refs = new AtomicInteger(1);

    Descriptor(int fd) {
      this.fd = fd;
    }

    void release() {
      if (refs.decrementAndGet() == 0) {
        POSIX.close(fd);
      }
    }
  }
}
