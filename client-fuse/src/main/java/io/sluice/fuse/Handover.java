package io.sluice.fuse;

import io.sluice.client.SluiceClient;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives an inode the mount just made to its rightful owner and group. The master makes every new inode the mount
 * user's, but one created for another local user (allow_other) should be that user's, and a file replaced by an
 * overwriting create (O_TRUNC) should keep its owner, as on a local file system, or the kernel's permission checks
 * would judge it as the mount user's.
 *
 * <p>That takes the master's superuser. A mount that is not leaves the inode its own and logs it: the caller's
 * operation has succeeded and is not failed for this.
 */
final class Handover {
  private static final Logger LOG = LoggerFactory.getLogger(Handover.class);

  private Handover() {}

  static void give(SluiceClient client, String path, String owner, String group) throws RpcException {
    try {
      client.setOwner(path, owner, group);
    } catch (RpcException e) {
      if (e.status() != Status.PERMISSION_DENIED) {
        throw e;
      }
      LOG.warn("{}: left owned by the mount's user, not {}:{}: {}", path, owner, group, e.getMessage());
    }
  }
}
