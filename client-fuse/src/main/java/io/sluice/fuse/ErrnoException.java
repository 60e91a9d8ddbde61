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

  /**
   * None: these answer probes (ls -l asks each entry for a security label, the kernel asks for security.capability
   * before every write), where filling in a stack trace cost more than the rest of the request, and only the message
   * is ever logged (CallbackErrors).
   */
  @Override
  public Throwable fillInStackTrace() {
    return this;
  }

  int errno() {
    return errno;
  }
}
