package io.sluice.master.rpc;

import io.sluice.common.proto.BlockLocation;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.ServerCall;
import io.sluice.master.worker.BlockPlacement;
import io.sluice.master.worker.WorkerRegistry;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;

/**
 * Places the write pipeline of a new block (ADD_BLOCK, ALLOCATE_BLOCK_VERSION, and a CREATE_FILE that asks for its
 * first block) on live workers, favouring the client's host. Soft state: nothing of it is journaled, a retried
 * call may be placed elsewhere.
 */
final class WritePipelines {
  private final WorkerRegistry registry;
  private final BlockPlacement placement;

  WritePipelines(WorkerRegistry registry, BlockPlacement placement) {
    this.registry = registry;
    this.placement = placement;
  }

  /**
   * @param namedHost the host the client named, or empty for the one it calls from
   * @throws RpcException UNAVAILABLE when no live worker is left to place it on
   */
  List<BlockLocation> place(ServerCall call, String namedHost, int replicas, List<Long> excluded)
      throws RpcException {
    return placement.place(registry.candidates(), replicas, clientHost(call, namedHost), new HashSet<>(excluded));
  }

  /** The host placement should favour: the one the client named, else the one it calls from. */
  static String clientHost(ServerCall call, String named) {
    if (!named.isEmpty()) {
      return named;
    }
    return call.remoteAddress() instanceof InetSocketAddress a ? a.getHostString() : "";
  }
}
