package io.sluice.worker.ufs;

import io.sluice.common.proto.MountInfo;
import io.sluice.common.rpc.RpcException;
import java.util.List;

/**
 * Where {@link UfsMounts} learns the mount table: the master's GET_MOUNTS in a running worker, a fixed list in
 * tests.
 */
@FunctionalInterface
public interface MountTableSource {
  /**
   * Every mount the namespace has now. Blocks (an RPC): never called on an event loop.
   *
   * @throws RpcException when the table cannot be had (e.g. UNAVAILABLE: no master answered)
   */
  List<MountInfo> fetch() throws RpcException;
}
