package io.sluice.master.rpc;

import io.sluice.common.proto.DecommissionWorkerRequest;
import io.sluice.common.proto.GetClusterInfoResponse;
import io.sluice.common.proto.GetMasterStatusResponse;
import io.sluice.common.proto.MasterStatus;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.ServerCall;
import io.sluice.master.decommission.Decommissioner;
import io.sluice.master.namespace.Caller;
import io.sluice.master.store.NamespaceStore;
import io.sluice.master.worker.WorkerRegistry;
import java.io.UncheckedIOException;
import java.util.function.Supplier;

/**
 * The methods an administrator's tools call about the cluster rather than the namespace: GET_MASTER_STATUS,
 * GET_CLUSTER_INFO and DECOMMISSION_WORKER. Holds no mutable state.
 */
final class AdminMethods {
  private final NamespaceStore store;
  private final WorkerRegistry registry;
  private final Supplier<String> advertisedAddress;
  private final Supplier<MasterStatus> status;
  private final Decommissioner decommissioner;

  AdminMethods(NamespaceStore store, WorkerRegistry registry, Supplier<String> advertisedAddress,
      Supplier<MasterStatus> status, Decommissioner decommissioner) {
    this.store = store;
    this.registry = registry;
    this.advertisedAddress = advertisedAddress;
    this.status = status;
    this.decommissioner = decommissioner;
  }

  /** This master's local view, unfenced like /api/status; a master whose journal stopped is UNAVAILABLE. */
  void masterStatus(ServerCall call) throws RpcException {
    MasterStatus s;
    try {
      s = status.get();
    } catch (UncheckedIOException e) {
      throw new RpcException(Status.UNAVAILABLE, e.getMessage(), e);
    }
    call.respond(GetMasterStatusResponse.newBuilder().setStatus(s).build());
  }

  void clusterInfo(ServerCall call) {
    call.respond(GetClusterInfoResponse.newBuilder().setLeader(advertisedAddress.get())
        .addAllWorkers(registry.summaries()).setInodeCount(store.inodeCount()).build());
  }

  /** Soft state of the registry, not journaled (see Decommissioner); changing it is for the superuser only. */
  void decommission(ServerCall call, Caller caller) throws RpcException {
    DecommissionWorkerRequest req = call.parse(DecommissionWorkerRequest.parser());
    if (!req.getStatusOnly() && !caller.superuser()) {
      throw new RpcException(Status.PERMISSION_DENIED, "only the superuser may decommission a worker (caller "
          + caller.user() + ")");
    }
    call.respond(decommissioner.request(req));
  }
}
