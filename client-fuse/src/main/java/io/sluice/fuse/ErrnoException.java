package io.sluice.fuse;

import java.io.IOException;

/** A failure that already knows its errno: an operation this mount refuses by design (e.g. a random write). */
final class ErrnoException extends IOException {
  private static final long serialVersionUID = 1L;
  private final int errno;

  /** @param errno the positive errno, e.g. {@link Errno#notSupported()} */
  ErrnoException(int errno, String message) {
    super(message);
    this.errno = errno;
  }

  int errno() {
    return errno;
  }
}
