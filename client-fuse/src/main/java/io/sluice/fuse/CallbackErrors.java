package io.sluice.fuse;

import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How a FUSE callback reports a failure: one log line at the level it deserves, and the errno to answer. */
final class CallbackErrors {
  private static final Logger LOG = LoggerFactory.getLogger(SluiceFuse.class);

  private CallbackErrors() {}

  /**
   * Maps a failure to {@code -errno} with one log line naming the operation, the path and the cause. Expected
   * outcomes (a missing name looked up, an existing name created) are debug-level: shells and tools probe for them
   * all the time.
   */
  static int fail(String op, String path, Exception e) {
    int errno = Errno.negated(e);
    // The client's messages name the path already; the status (or errno) follows.
    if (e instanceof RpcException r && (r.status() == Status.NOT_FOUND || r.status() == Status.ALREADY_EXISTS)) {
      LOG.debug("{}: {} ({})", op, r.getMessage(), r.status());
    } else if (e instanceof RpcException r) {
      LOG.info("{}: {} ({})", op, r.getMessage(), r.status());
    } else if (e instanceof ErrnoException && op.endsWith("xattr")) {
      // Probes: the kernel asks for security.capability before every write, cp -a offers ACLs to every file.
      LOG.debug("{}: {}", op, e.getMessage());
    } else if (e instanceof ErrnoException) {
      LOG.info("{}: {} (errno {})", op, e.getMessage(), -errno);
    } else if (e instanceof IOException) {
      LOG.warn("{} {}: {} (errno {})", op, path, e, -errno);
    } else {
      LOG.warn("{} {}: unexpected failure", op, path, e);
    }
    return errno;
  }
}
