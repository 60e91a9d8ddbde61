package io.sluice.fuse;

import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import ru.serce.jnrfuse.ErrorCodes;

/**
 * The one place where Sluice failures become errno values for FUSE (STYLE 11). FUSE callbacks return
 * {@code -errno}; {@link #negated(Throwable)} gives exactly that.
 */
public final class Errno {
  private Errno() {}

  /**
   * ENOTSUP, "Operation not supported": what this mount answers for an operation it has but cannot do in this case
   * (a write out of order, a truncate to a size other than 0). On Linux ENOTSUP is EOPNOTSUPP; jnr-fuse's own
   * {@code ErrorCodes.ENOTSUP()} is wrong there (45, EL2NSYNC), so never use it.
   */
  public static int notSupported() {
    return ErrorCodes.EOPNOTSUPP();
  }

  /**
   * ENODATA, "No data available": what Linux answers for a missing extended attribute (ENOATTR is its alias there).
   * jnr-fuse's {@code ErrorCodes.ENOATTR()} is the BSD number (93, EREMOTEIO on Linux), so never use it.
   */
  public static int noAttribute() {
    return ErrorCodes.ENODATA();
  }

  /**
   * The failure to report for a refused change of mode, owner, group or explicit times: chmod(2), chown(2) and
   * utimensat(2) answer EPERM to a caller that is neither the owner nor privileged (EACCES would say a permission
   * bit is missing), but the master says PERMISSION_DENIED for every refusal. Other failures are returned as they
   * are. The kernel makes these checks itself for the caller ({@code default_permissions}); this is what the
   * master adds when the mount's own user is refused.
   */
  static Exception ownerOnly(Exception e) {
    if (e instanceof RpcException r && r.status() == Status.PERMISSION_DENIED) {
      return new ErrnoException(ErrorCodes.EPERM(), r.getMessage());
    }
    return e;
  }

  /** The (positive) errno for a status. OK has none and maps to 0. */
  public static int of(Status status) {
    return switch (status) {
      case OK -> 0;
      case NOT_FOUND -> ErrorCodes.ENOENT();
      case ALREADY_EXISTS -> ErrorCodes.EEXIST();
      case NOT_EMPTY -> ErrorCodes.ENOTEMPTY();
      case NOT_DIRECTORY -> ErrorCodes.ENOTDIR();
      case IS_DIRECTORY -> ErrorCodes.EISDIR();
      case PERMISSION_DENIED -> ErrorCodes.EACCES();
      case INVALID_ARGUMENT -> ErrorCodes.EINVAL();
      case NO_SPACE -> ErrorCodes.ENOSPC();
      // A stale handle is what ESTALE means to NFS-savvy tools: reopen and retry.
      case STALE -> ErrorCodes.ESTALE();
      // NOT_LEADER only escapes the client when its failover budget ran out: the service is unavailable.
      case NOT_LEADER, UNAVAILABLE, IO_ERROR, UFS_ERROR, INTERNAL, UNRECOGNIZED -> ErrorCodes.EIO();
    };
  }

  /**
   * {@code -errno} for a failure: its status for an {@link RpcException} (also when wrapped in an
   * {@link UncheckedIOException}, as later listing pages are), the errno an {@link ErrnoException} carries, EINVAL
   * for a read past the end, EIO for any other I/O or runtime failure.
   */
  public static int negated(Throwable t) {
    Throwable e = t instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : t;
    if (e instanceof ErrnoException x) {
      return -x.errno();
    }
    if (e instanceof RpcException r) {
      return -of(r.status());
    }
    if (e instanceof EOFException) {
      return -ErrorCodes.EINVAL();
    }
    if (e instanceof IOException) {
      // A stream failure that wraps an RpcException (e.g. a failed write's close) keeps the cause's status.
      Throwable c = e.getCause();
      if (c instanceof RpcException r) {
        return -of(r.status());
      }
    }
    return -ErrorCodes.EIO();
  }
}
