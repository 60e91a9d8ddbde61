package io.sluice.master.rpc;

import io.sluice.common.proto.RegisterWorkerRequest;
import io.sluice.common.proto.RegisterWorkerResponse;
import io.sluice.common.proto.WorkerHeartbeatRequest;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.ServerCall;
import io.sluice.master.worker.WorkerRegistry;

/**
 * The methods workers call: REGISTER_WORKER and WORKER_HEARTBEAT. They touch only the registry (soft state, never
 * journaled). Holds no mutable state.
 */
final class WorkerMethods {
  private final WorkerRegistry registry;

  WorkerMethods(WorkerRegistry registry) {
    this.registry = registry;
  }

  /** Answers with the worker's id and the blocks of its report it must pin. */
  void register(ServerCall call) throws RpcException {
    long id = registry.register(call.parse(RegisterWorkerRequest.parser()));
    call.respond(RegisterWorkerResponse.newBuilder().setWorkerId(id).addAllPinnedBlockIds(registry.takePins(id))
        .build());
  }

  void heartbeat(ServerCall call) throws RpcException {
    call.respond(registry.heartbeat(call.parse(WorkerHeartbeatRequest.parser())));
  }
}
