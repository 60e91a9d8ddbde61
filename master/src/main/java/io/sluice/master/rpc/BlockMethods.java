package io.sluice.master.rpc;

import io.sluice.common.proto.AddBlockRequest;
import io.sluice.common.proto.AddBlockResponse;
import io.sluice.common.proto.AllocateBlockVersionRequest;
import io.sluice.common.proto.AllocateBlockVersionResponse;
import io.sluice.common.proto.BlockInfo;
import io.sluice.common.proto.BlockLocation;
import io.sluice.common.proto.GetBlockLocationsRequest;
import io.sluice.common.proto.GetBlockLocationsResponse;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.ServerCall;
import io.sluice.master.journal.Journal;
import io.sluice.master.mount.MountService;
import io.sluice.master.namespace.AddBlockOp;
import io.sluice.master.namespace.AllocateBlockVersionOp;
import io.sluice.master.namespace.Caller;
import io.sluice.master.namespace.GetBlockLocationsOp;
import io.sluice.master.namespace.LeaderContext;
import io.sluice.master.namespace.Prepared;
import io.sluice.master.store.NamespaceStore;
import io.sluice.master.store.StoreSnapshot;
import io.sluice.master.worker.BlockPlacement;
import io.sluice.master.worker.PlacementCandidate;
import io.sluice.master.worker.WorkerRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * The methods that say which workers a block goes to or is read from: ADD_BLOCK and ALLOCATE_BLOCK_VERSION place a
 * new block's pipeline, GET_BLOCK_LOCATIONS lists a file's blocks with their holders (or a read-through worker).
 * Placement favours the client's host. Holds no mutable state.
 */
final class BlockMethods {
  private final NamespaceStore store;
  private final Journal journal;
  private final LeaderContext ctx;
  private final WorkerRegistry registry;
  private final BlockPlacement placement;
  private final WritePipelines pipelines;
  private final MountService mounts;
  private final Proposals proposals;

  private final ClosingFiles closing;

  BlockMethods(NamespaceStore store, Journal journal, LeaderContext ctx, WorkerRegistry registry,
      BlockPlacement placement, WritePipelines pipelines, MountService mounts, Proposals proposals,
      ClosingFiles closing) {
    this.store = store;
    this.closing = closing;
    this.journal = journal;
    this.ctx = ctx;
    this.registry = registry;
    this.placement = placement;
    this.pipelines = pipelines;
    this.mounts = mounts;
    this.proposals = proposals;
  }

  /**
   * Places the block first (no live worker: fail before journaling anything), then allocates it. Not deduplicated,
   * being idempotent by design: a retried addBlock names the same block (its index is the count of previous blocks).
   */
  void addBlock(ServerCall call) throws RpcException {
    AddBlockRequest req = call.parse(AddBlockRequest.parser());
    AddBlockOp.Plan plan = AddBlockOp.prepare(req, ctx);
    List<BlockLocation> pipeline = pipelines.place(call, req.getClientHost(), plan.replicas(),
        req.getExcludedWorkersList());
    proposals.answer(call, Prepared.propose(plan.entry()), r -> AddBlockResponse.newBuilder()
        .setBlock(BlockInfo.newBuilder().setBlockId(plan.blockId()).addAllLocations(pipeline)).build());
  }

  /**
   * As {@link #addBlock}, for a new version of a block of a file being changed. Not deduplicated: a retry allocates
   * another version, which the writer then names as abandoned.
   */
  void allocateBlockVersion(ServerCall call, Caller caller) throws RpcException {
    AllocateBlockVersionRequest req = call.parse(AllocateBlockVersionRequest.parser());
    AllocateBlockVersionOp.Plan plan = AllocateBlockVersionOp.prepare(req, caller, ctx);
    List<BlockLocation> pipeline = pipelines.place(call, req.getClientHost(), plan.replicas(),
        req.getExcludedWorkersList());
    proposals.answer(call, Prepared.propose(plan.entry()), r -> AllocateBlockVersionResponse.newBuilder()
        .setBlock(BlockInfo.newBuilder().setBlockId(plan.blockId()).addAllLocations(pipeline)).build());
  }

  void getBlockLocations(ServerCall call, Caller caller) throws RpcException {
    journal.readBarrier();
    GetBlockLocationsRequest req = call.parse(GetBlockLocationsRequest.parser());
    String path = req.getPath();
    mounts.sync(path, false, req.getRefreshUfs());
    String host = WritePipelines.clientHost(call, req.getClientHost());
    // A file whose writer is closing it: its blocks once it is complete.
    closing.respond(call, () -> locations(path, host, caller), r -> List.of(r.getInfo()));
  }

  private GetBlockLocationsResponse locations(String path, String host, Caller caller) throws RpcException {
    GetBlockLocationsResponse r;
    try (StoreSnapshot snap = store.snapshot()) {
      // Live workers are listed only for a file with an uncached UFS block, once per call.
      List<List<PlacementCandidate>> live = new ArrayList<>(1);
      r = GetBlockLocationsOp.run(snap, path, registry::locations, block -> {
        if (live.isEmpty()) {
          live.add(registry.candidates());
        }
        return placement.readThrough(live.get(0), block, host);
      }, caller);
    }
    // Just after a failover the registry is rebuilt from re-registrations: a block without a location may
    // only be waiting for its worker's report, and the client should ask again rather than give up.
    // A UFS-backed block is never pending: its bytes can always be read from the UFS. Nor is one with no bytes
    // committed (the block a writer has yet to write, such as a new file's first): no report will bring it.
    if (journal.leadership().compareTo(registry.settleTime()) < 0 && r.getBlocksList().stream()
        .anyMatch(b -> b.getLocationsCount() == 0 && !b.hasUfs() && b.getLength() > 0)) {
      r = r.toBuilder().setLocationsPending(true).build();
    }
    return r;
  }
}
