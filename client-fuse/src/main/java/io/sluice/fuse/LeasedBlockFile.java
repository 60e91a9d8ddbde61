package io.sluice.fuse;

import io.sluice.client.block.LocalBlockRange;
import java.io.IOException;
import jnr.constants.platform.OpenFlags;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * The block file a handle's last spliced read named, open as a native descriptor for libfuse to splice from. It is
 * opened again for every new short-circuit lease, not kept per path: once a lease ends the worker may evict the
 * block and reuse its file, under another name, for another block, and a descriptor kept from before would then
 * read that block's bytes. One at a time: a new lease's file closes the old one, as does the handle's release; until
 * then a descriptor may outlive its lease, unused (it only keeps a removed file's space a while).
 */
final class LeasedBlockFile {
  private static final POSIX POSIX = POSIXFactory.getNativePOSIX();
  private static final int FLAGS = OpenFlags.O_RDONLY.intValue() | OpenFlags.O_CLOEXEC.intValue();

  private long lease;
  private int fd = -1;

  /** A descriptor of {@code r}'s file, opened now unless it is open under {@code r}'s lease already. */
  int descriptor(LocalBlockRange r) throws IOException {
    if (fd >= 0 && r.lease() == lease) {
      return fd;
    }
    close();
    int d = POSIX.open(r.file().toString(), FLAGS, 0);
    if (d < 0) {
      throw new IOException("cannot open " + r.file() + ": "
          // Fully qualified: this package's Errno maps failures to numbers, jnr's names them.
          + jnr.constants.platform.Errno.valueOf(POSIX.errno()));
    }
    fd = d;
    lease = r.lease();
    return fd;
  }

  /** Closes the descriptor, if one is open; no reply naming it may still be on its way. */
  void close() {
    if (fd >= 0) {
      POSIX.close(fd);
      fd = -1;
    }
  }
}
