package io.sluice.master.rpc;

import io.sluice.common.proto.FreeRequest;
import io.sluice.common.proto.GetJobRequest;
import io.sluice.common.proto.GetJobResponse;
import io.sluice.common.proto.LoadRequest;
import io.sluice.common.proto.LoadResponse;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.ServerCall;
import io.sluice.master.job.LoadJobs;
import io.sluice.master.journal.Journal;
import io.sluice.master.namespace.Caller;
import io.sluice.master.namespace.FreeOp;
import io.sluice.master.store.NamespaceStore;
import io.sluice.master.store.StoreSnapshot;
import io.sluice.master.worker.WorkerRegistry;

/**
 * The methods that change what the workers cache of a path: FREE drops it, LOAD starts a job that loads it, GET_JOB
 * reports on such a job. Holds no mutable state.
 */
final class CacheMethods {
  private final NamespaceStore store;
  private final Journal journal;
  private final WorkerRegistry registry;
  private final LoadJobs loads;
  private final Proposals proposals;

  CacheMethods(NamespaceStore store, Journal journal, WorkerRegistry registry, LoadJobs loads, Proposals proposals) {
    this.store = store;
    this.journal = journal;
    this.registry = registry;
    this.loads = loads;
    this.proposals = proposals;
  }

  void free(ServerCall call, Caller caller) throws RpcException {
    journal.readBarrier();
    FreeRequest req = call.parse(FreeRequest.parser());
    FreeOp.Plan plan;
    try (StoreSnapshot snap = store.snapshot()) {
      plan = FreeOp.plan(snap, req.getPath(), caller, req.getForce());
    }
    // Workers drop them with their next heartbeat; the locations are forgotten now, so reads go to the UFS.
    registry.removeBlocks(plan.blockIds());
    call.respond(plan.counts());
  }

  /** Deduplicated: a retried LOAD answers with the job the first one started. */
  void load(ServerCall call, Caller caller) throws RpcException {
    String path = call.parse(LoadRequest.parser()).getPath();
    proposals.mutate(call, () -> loads.prepare(path, caller),
        r -> LoadResponse.newBuilder().setJobId(r.getJobId()).build());
  }

  void getJob(ServerCall call) throws RpcException {
    journal.readBarrier();
    call.respond(GetJobResponse.newBuilder().setJob(loads.status(call.parse(GetJobRequest.parser()).getJobId()))
        .build());
  }
}
