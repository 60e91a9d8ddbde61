package io.sluice.cli;

import io.sluice.common.rpc.RpcException;

/** The words a user reads for each status: the strerror text where POSIX has one, like coreutils prints. */
final class StatusText {
  private StatusText() {}

  static String of(RpcException e) {
    return switch (e.status()) {
      case NOT_FOUND -> "No such file or directory";
      case ALREADY_EXISTS -> "File exists";
      case NOT_EMPTY -> "Directory not empty";
      case NOT_DIRECTORY -> "Not a directory";
      case IS_DIRECTORY -> "Is a directory";
      case PERMISSION_DENIED -> "Permission denied";
      case NO_SPACE -> "No space left on device";
      case INVALID_ARGUMENT -> "Invalid argument (" + e.getMessage() + ")";
      case UNAVAILABLE, NOT_LEADER -> "cluster unavailable: " + e.getMessage()
          + " (is it running? see 'sluice local status')";
      default -> e.status() + ": " + e.getMessage();
    };
  }
}
