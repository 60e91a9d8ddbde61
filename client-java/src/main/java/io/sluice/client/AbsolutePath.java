package io.sluice.client;

import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;

/**
 * The client's only path rule: a path is absolute. Everything else (empty components, {@code ..}, length limits)
 * is the master's to validate, so that every front end gets the same answer for the same path.
 */
final class AbsolutePath {
  private AbsolutePath() {}

  /** Returns {@code path}, or fails with INVALID_ARGUMENT when it is null or not absolute. */
  static String require(String path) throws RpcException {
    if (path == null || !path.startsWith("/")) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": not an absolute path");
    }
    return path;
  }
}
