package io.sluice.master.rpc;

import com.google.protobuf.Message;
import io.sluice.common.proto.AddBlockRequest;
import io.sluice.common.proto.AddBlockResponse;
import io.sluice.common.proto.AllocateBlockVersionRequest;
import io.sluice.common.proto.AllocateBlockVersionResponse;
import io.sluice.common.proto.BlockInfo;
import io.sluice.common.proto.BlockLocation;
import io.sluice.common.proto.CommitEditRequest;
import io.sluice.common.proto.CommitEditResponse;
import io.sluice.common.proto.CompleteFileRequest;
import io.sluice.common.proto.CompleteFileResponse;
import io.sluice.common.proto.CreateFileRequest;
import io.sluice.common.proto.CreateFileResponse;
import io.sluice.common.proto.CreateSymlinkRequest;
import io.sluice.common.proto.CreateSymlinkResponse;
import io.sluice.common.proto.DecommissionWorkerRequest;
import io.sluice.common.proto.DeleteRequest;
import io.sluice.common.proto.DeleteResponse;
import io.sluice.common.proto.FreeRequest;
import io.sluice.common.proto.GetBlockLocationsRequest;
import io.sluice.common.proto.GetBlockLocationsResponse;
import io.sluice.common.proto.GetClusterInfoResponse;
import io.sluice.common.proto.GetJobRequest;
import io.sluice.common.proto.GetJobResponse;
import io.sluice.common.proto.GetMasterStatusResponse;
import io.sluice.common.proto.GetStatusRequest;
import io.sluice.common.proto.GetStatusResponse;
import io.sluice.common.proto.GetXattrsRequest;
import io.sluice.common.proto.LinkRequest;
import io.sluice.common.proto.LinkResponse;
import io.sluice.common.proto.ListStatusRequest;
import io.sluice.common.proto.LoadRequest;
import io.sluice.common.proto.LoadResponse;
import io.sluice.common.proto.MasterMethod;
import io.sluice.common.proto.MasterStatus;
import io.sluice.common.proto.MkdirRequest;
import io.sluice.common.proto.MkdirResponse;
import io.sluice.common.proto.MountInfo;
import io.sluice.common.proto.MountRequest;
import io.sluice.common.proto.MountResponse;
import io.sluice.common.proto.RegisterWorkerRequest;
import io.sluice.common.proto.RegisterWorkerResponse;
import io.sluice.common.proto.RemoveXattrRequest;
import io.sluice.common.proto.RemoveXattrResponse;
import io.sluice.common.proto.RenameRequest;
import io.sluice.common.proto.RenameResponse;
import io.sluice.common.proto.SetAttributesRequest;
import io.sluice.common.proto.SetAttributesResponse;
import io.sluice.common.proto.SetPinnedRequest;
import io.sluice.common.proto.SetPinnedResponse;
import io.sluice.common.proto.SetTtlRequest;
import io.sluice.common.proto.SetTtlResponse;
import io.sluice.common.proto.SetXattrRequest;
import io.sluice.common.proto.SetXattrResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.TtlAction;
import io.sluice.common.proto.UnmountRequest;
import io.sluice.common.proto.UnmountResponse;
import io.sluice.common.proto.WorkerHeartbeatRequest;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcHandler;
import io.sluice.common.rpc.ServerCall;
import io.sluice.master.decommission.Decommissioner;
import io.sluice.master.job.LoadJobs;
import io.sluice.master.journal.Journal;
import io.sluice.master.mount.DeleteThroughUfs;
import io.sluice.master.mount.MountGuard;
import io.sluice.master.mount.MountService;
import io.sluice.master.namespace.AddBlockOp;
import io.sluice.master.namespace.AllocateBlockVersionOp;
import io.sluice.master.namespace.CommitEditOp;
import io.sluice.master.namespace.Caller;
import io.sluice.master.namespace.CompleteFileOp;
import io.sluice.master.namespace.CreateFileOp;
import io.sluice.master.namespace.CreateSymlinkOp;
import io.sluice.master.namespace.FreeOp;
import io.sluice.master.namespace.GetBlockLocationsOp;
import io.sluice.master.namespace.GetStatusOp;
import io.sluice.master.namespace.LeaderContext;
import io.sluice.master.namespace.LinkOp;
import io.sluice.master.namespace.ListStatusOp;
import io.sluice.master.namespace.MkdirOp;
import io.sluice.master.namespace.Prepared;
import io.sluice.master.namespace.RenameOp;
import io.sluice.master.namespace.KeptFiles;
import io.sluice.master.namespace.SetAttributesOp;
import io.sluice.master.namespace.SetPinnedOp;
import io.sluice.master.namespace.SetTtlOp;
import io.sluice.master.namespace.XattrOps;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.security.CallerResolver;
import io.sluice.master.store.NamespaceStore;
import io.sluice.master.store.StoreSnapshot;
import io.sluice.master.worker.BlockPlacement;
import io.sluice.master.worker.PlacementCandidate;
import io.sluice.master.worker.WorkerRegistry;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The master's RPC service: every {@link MasterMethod}, dispatched on the call's method number. Calls are handed
 * from the network event loop to {@code executor} at once (RocksDB reads and placement block, if briefly).
 *
 * <p>Mutations follow DESIGN §3: the namespace op decides on the leader ({@code prepare}), the entry goes through the
 * {@link Journal}, and the apply result's status is the answer; blocks the op released are handed to the worker
 * registry for removal. Reads go to the store directly, on the leader, through a snapshot when they read several
 * keys. Worker registration and heartbeats touch only the registry (soft state).
 */
public final class MasterRpcHandler implements RpcHandler {
  private final NamespaceStore store;
  private final Journal journal;
  private final LeaderContext ctx;
  private final WorkerRegistry registry;
  private final BlockPlacement placement;
  private final Executor executor;
  private final Supplier<String> advertisedAddress;
  private final RetriedRequests retried;
  private final CallerResolver callers;
  private final MountService mounts;
  private final LoadJobs loads;
  private final Supplier<MasterStatus> status;
  private final Decommissioner decommissioner;
  private final PinSync pins;
  private final Executor offApplyThread;

  /**
   * @param advertisedAddress this master's RPC {@code host:port}, reported by GET_CLUSTER_INFO
   * @param retryExpiry how long the outcome of a deduplicated mutation answers its retries
   * @param callers resolves the handshake's user to the caller whose permissions are checked
   * @param mounts the mount table and the UFS metadata sync
   * @param loads the load jobs this leader runs
   * @param status this master's own view (its /api/status), answered to GET_MASTER_STATUS
   * @param decommissioner drains the workers an administrator decommissions
   */
  public MasterRpcHandler(NamespaceStore store, Journal journal, LeaderContext ctx, WorkerRegistry registry,
      BlockPlacement placement, Executor executor, Supplier<String> advertisedAddress, Duration retryExpiry,
      CallerResolver callers, MountService mounts, LoadJobs loads, Supplier<MasterStatus> status,
      Decommissioner decommissioner) {
    this.status = status;
    this.decommissioner = decommissioner;
    this.callers = callers;
    this.mounts = mounts;
    this.loads = loads;
    this.store = store;
    this.journal = journal;
    this.ctx = ctx;
    this.registry = registry;
    this.placement = placement;
    this.executor = executor;
    this.advertisedAddress = advertisedAddress;
    this.retried = new RetriedRequests(ctx, retryExpiry);
    this.pins = new PinSync(store, registry);
    // A walk of a pinned directory must not hold up the thread that completed the proposal (it applies the log);
    // under overload it runs there all the same rather than leave the workers untold.
    this.offApplyThread = task -> {
      try {
        executor.execute(task);
      } catch (RejectedExecutionException e) {
        task.run();
      }
    };
  }

  @Override
  public void handle(ServerCall call) {
    try {
      executor.execute(() -> {
        try {
          dispatch(call);
        } catch (Throwable t) {
          call.fail(t);
        }
      });
    } catch (RejectedExecutionException e) {
      call.fail(Status.UNAVAILABLE, "master overloaded or stopping");
    }
  }

  private void dispatch(ServerCall call) throws RpcException {
    MasterMethod method = MasterMethod.forNumber(call.method());
    if (method == null) {
      throw new RpcException(Status.INVALID_ARGUMENT, "unknown master method " + call.method());
    }
    if (method == MasterMethod.GET_MASTER_STATUS) {
      // Before the leader check: every master answers for itself, so the CLI can show each one's Raft role.
      answerStatus(call);
      return;
    }
    journal.checkLeader();
    Caller caller = callers.resolve(call.user());
    switch (method) {
      case MKDIR -> {
        MkdirRequest req = call.parse(MkdirRequest.parser());
        MountGuard.checkWritable(store.reader(), req.getPath());
        mounts.sync(req.getPath(), false);  // under a mount the parents may not be loaded yet
        mutate(call, () -> throughUfs(MkdirOp.prepare(req, caller, ctx), () -> mounts.mkdirInUfs(req.getPath())),
            r -> MkdirResponse.newBuilder().setInfo(r.getInfo()).build());
      }
      case CREATE_FILE -> {
        CreateFileRequest req = call.parse(CreateFileRequest.parser());
        // Under a mount the client writes the file through to the UFS (COMPLETE_FILE carries its fingerprint);
        // the namespace must know what the UFS has there first, for ALREADY_EXISTS and overwrite.
        MountGuard.checkWritable(store.reader(), req.getPath());
        mounts.sync(req.getPath(), false);
        mutate(call, () -> CreateFileOp.prepare(req, caller, ctx),
            r -> CreateFileResponse.newBuilder().setInfo(r.getInfo()).build());
      }
      // Not deduplicated, being idempotent by design: a retried addBlock names the same block (its index is the
      // count of previous blocks), a retried complete of a complete file succeeds.
      case ADD_BLOCK -> addBlock(call, call.parse(AddBlockRequest.parser()));
      case COMPLETE_FILE -> answer(call, CompleteFileOp.prepare(call.parse(CompleteFileRequest.parser()), ctx),
          r -> CompleteFileResponse.newBuilder().setInfo(r.getInfo()).build());
      // Not deduplicated: a retry allocates another version, which the writer then names as abandoned.
      case ALLOCATE_BLOCK_VERSION -> allocateBlockVersion(call, call.parse(AllocateBlockVersionRequest.parser()),
          caller);
      case COMMIT_EDIT -> mutate(call, () -> CommitEditOp.prepare(call.parse(CommitEditRequest.parser()), caller, ctx),
          r -> CommitEditResponse.newBuilder().setInfo(r.getInfo()).build());
      case DELETE -> {
        DeleteRequest req = call.parse(DeleteRequest.parser());
        DeleteThroughUfs.check(ctx, mounts, req.getPath());
        mutate(call, () -> DeleteThroughUfs.prepare(req, caller, ctx, mounts),
            r -> DeleteResponse.getDefaultInstance());
      }
      case RENAME -> {
        RenameRequest req = call.parse(RenameRequest.parser());
        for (String p : List.of(req.getSrc(), req.getDst())) {
          MountGuard.checkHoldsNoMount(store.reader(), p);
          MountGuard.checkWritable(store.reader(), p);
          mounts.sync(p, false);
        }
        boolean pinnedBefore = KeptFiles.pinnedAbove(store.reader(), req.getSrc());
        CompletableFuture<ApplyResult> renamed = propose(call, () -> throughUfs(RenameOp.prepare(req, caller, ctx),
            () -> mounts.renameInUfs(req.getSrc(), req.getDst(), req.getReplace())));
        // Moved from under a pinned directory to under none, or the other way: what is kept there changed.
        reply(call, renamed.thenApplyAsync(r -> {
          if (r.getStatus() == Status.OK && pinnedBefore != KeptFiles.pinnedAbove(store.reader(), req.getDst())) {
            pins.changed(req.getDst());
          }
          return r;
        }, offApplyThread), r -> RenameResponse.getDefaultInstance());
      }
      case SET_ATTRIBUTES -> {
        SetAttributesRequest req = call.parse(SetAttributesRequest.parser());
        MountGuard.checkWritable(store.reader(), req.getPath());
        mutate(call, () -> SetAttributesOp.prepare(req, caller, ctx),
            r -> SetAttributesResponse.newBuilder().setInfo(r.getInfo()).build());
      }
      case SET_PINNED -> {
        SetPinnedRequest req = call.parse(SetPinnedRequest.parser());
        mounts.sync(req.getPath(), false);  // under a mount the path may not be loaded yet
        // The workers' pins are queued before the answer: any heartbeat after it carries them.
        reply(call, propose(call, () -> SetPinnedOp.prepare(req, caller, ctx)).thenApplyAsync(r -> {
          if (r.getStatus() == Status.OK) {
            pins.changed(req.getPath());
          }
          return r;
        }, offApplyThread), r -> SetPinnedResponse.newBuilder().setInfo(r.getInfo()).build());
      }
      case CREATE_SYMLINK -> {
        CreateSymlinkRequest req = call.parse(CreateSymlinkRequest.parser());
        MountGuard.checkNotUnderMount(store.reader(), req.getPath(), "symbolic links");
        mutate(call, () -> CreateSymlinkOp.prepare(req, caller, ctx),
            r -> CreateSymlinkResponse.newBuilder().setInfo(r.getInfo()).build());
      }
      // Deduplicated like every namespace change: a retried LINK answers what the first did, not ALREADY_EXISTS.
      // Under a mount LinkOp refuses it from the mount ids of the inodes on the way, loaded from the UFS or not.
      case LINK -> {
        LinkRequest req = call.parse(LinkRequest.parser());
        mutate(call, () -> LinkOp.prepare(req, caller, ctx), r -> LinkResponse.newBuilder().setInfo(r.getInfo())
            .build());
      }
      case SET_XATTR -> {
        SetXattrRequest req = call.parse(SetXattrRequest.parser());
        MountGuard.checkWritable(store.reader(), req.getPath());
        mutate(call, () -> XattrOps.prepareSet(req, caller, ctx), r -> SetXattrResponse.getDefaultInstance());
      }
      case REMOVE_XATTR -> {
        RemoveXattrRequest req = call.parse(RemoveXattrRequest.parser());
        MountGuard.checkWritable(store.reader(), req.getPath());
        mutate(call, () -> XattrOps.prepareRemove(req, caller, ctx), r -> RemoveXattrResponse.getDefaultInstance());
      }
      case GET_XATTRS -> {
        journal.readBarrier();
        String path = call.parse(GetXattrsRequest.parser()).getPath();
        mounts.sync(path, false);
        call.respond(XattrOps.get(store.reader(), path, caller));
      }
      case GET_STATUS -> {
        journal.readBarrier();
        String path = call.parse(GetStatusRequest.parser()).getPath();
        mounts.sync(path, false);
        try (StoreSnapshot snap = store.snapshot()) {
          call.respond(GetStatusResponse.newBuilder().setInfo(GetStatusOp.run(snap, path, caller)).build());
        }
      }
      case LIST_STATUS -> {
        journal.readBarrier();
        ListStatusRequest req = call.parse(ListStatusRequest.parser());
        // Only the first page lists the UFS: later pages continue the listing that one loaded.
        mounts.sync(req.getPath(), req.getStartAfter().isEmpty());
        try (StoreSnapshot snap = store.snapshot()) {
          call.respond(ListStatusOp.run(snap, req, caller));
        }
      }
      case GET_BLOCK_LOCATIONS -> {
        journal.readBarrier();
        GetBlockLocationsRequest req = call.parse(GetBlockLocationsRequest.parser());
        String path = req.getPath();
        mounts.sync(path, false, req.getRefreshUfs());
        String host = req.getClientHost().isEmpty() ? remoteHost(call) : req.getClientHost();
        GetBlockLocationsResponse r;
        try (StoreSnapshot snap = store.snapshot()) {
          // Live workers are listed only for a file with an uncached UFS block, once per call.
          List<List<PlacementCandidate>> live = new java.util.ArrayList<>(1);
          r = GetBlockLocationsOp.run(snap, path, registry::locations, block -> {
            if (live.isEmpty()) {
              live.add(registry.candidates());
            }
            return placement.readThrough(live.get(0), block, host);
          }, caller);
        }
        // Just after a failover the registry is rebuilt from re-registrations: a block without a location may
        // only be waiting for its worker's report, and the client should ask again rather than give up.
        // A UFS-backed block is never pending: its bytes can always be read from the UFS.
        if (journal.leadership().compareTo(registry.settleTime()) < 0
            && r.getBlocksList().stream().anyMatch(b -> b.getLocationsCount() == 0 && !b.hasUfs())) {
          r = r.toBuilder().setLocationsPending(true).build();
        }
        call.respond(r);
      }
      case MOUNT -> {
        MountRequest req = call.parse(MountRequest.parser());
        mutate(call, () -> mounts.prepareMount(req, caller),
            r -> MountResponse.newBuilder().setMount(mountInfo(r)).build());
      }
      case UNMOUNT -> {
        UnmountRequest req = call.parse(UnmountRequest.parser());
        mutate(call, () -> mounts.prepareUnmount(req, caller), r -> {
          mounts.closeUnmounted();
          return UnmountResponse.getDefaultInstance();
        });
      }
      case FREE -> {
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
      // Deduplicated: a retried LOAD answers with the job the first one started.
      case LOAD -> {
        String path = call.parse(LoadRequest.parser()).getPath();
        mutate(call, () -> loads.prepare(path, caller), r -> LoadResponse.newBuilder().setJobId(r.getJobId()).build());
      }
      case GET_JOB -> {
        journal.readBarrier();
        call.respond(GetJobResponse.newBuilder().setJob(loads.status(call.parse(GetJobRequest.parser()).getJobId()))
            .build());
      }
      case SET_TTL -> {
        SetTtlRequest req = call.parse(SetTtlRequest.parser());
        if (req.getAction() == TtlAction.TTL_DELETE && req.getTtlMs() > 0) {
          // Refused now rather than dropped with a warning when it expires.
          MountGuard.checkHoldsNoMount(store.reader(), req.getPath());
          MountGuard.checkWritable(store.reader(), req.getPath());
        }
        mounts.sync(req.getPath(), false);
        mutate(call, () -> SetTtlOp.prepare(req, caller, ctx),
            r -> SetTtlResponse.newBuilder().setInfo(r.getInfo()).build());
      }
      case GET_MOUNTS -> {
        journal.readBarrier();
        call.respond(mounts.mounts());
      }
      case REGISTER_WORKER -> {
        long id = registry.register(call.parse(RegisterWorkerRequest.parser()));
        call.respond(RegisterWorkerResponse.newBuilder().setWorkerId(id).addAllPinnedBlockIds(registry.takePins(id))
            .build());
      }
      case WORKER_HEARTBEAT -> call.respond(registry.heartbeat(call.parse(WorkerHeartbeatRequest.parser())));
      case DECOMMISSION_WORKER -> decommission(call, call.parse(DecommissionWorkerRequest.parser()), caller);
      case GET_CLUSTER_INFO -> call.respond(GetClusterInfoResponse.newBuilder().setLeader(advertisedAddress.get())
          .addAllWorkers(registry.summaries()).setInodeCount(store.inodeCount()).build());
      default -> throw new RpcException(Status.INVALID_ARGUMENT, "unsupported master method " + method);
    }
  }

  /** This master's local view, unfenced like /api/status; a master whose journal stopped is UNAVAILABLE. */
  private void answerStatus(ServerCall call) throws RpcException {
    MasterStatus s;
    try {
      s = status.get();
    } catch (UncheckedIOException e) {
      throw new RpcException(Status.UNAVAILABLE, e.getMessage(), e);
    }
    call.respond(GetMasterStatusResponse.newBuilder().setStatus(s).build());
  }

  /** Soft state of the registry, not journaled (see Decommissioner); changing it is for the superuser only. */
  private void decommission(ServerCall call, DecommissionWorkerRequest req, Caller caller) throws RpcException {
    if (!req.getStatusOnly() && !caller.superuser()) {
      throw new RpcException(Status.PERMISSION_DENIED, "only the superuser may decommission a worker (caller "
          + caller.user() + ")");
    }
    call.respond(decommissioner.request(req));
  }

  /** Places the block first (no live worker: fail before journaling anything), then allocates it. */
  private void addBlock(ServerCall call, AddBlockRequest req) throws RpcException {
    AddBlockOp.Plan plan = AddBlockOp.prepare(req, ctx);
    List<BlockLocation> pipeline = placement.place(registry.candidates(), plan.replicas(),
        clientHost(call, req.getClientHost()), new HashSet<>(req.getExcludedWorkersList()));
    answer(call, Prepared.propose(plan.entry()), r -> AddBlockResponse.newBuilder().setBlock(BlockInfo.newBuilder()
        .setBlockId(plan.blockId()).addAllLocations(pipeline)).build());
  }

  /** As {@link #addBlock}, for a new version of a block of a file being changed. */
  private void allocateBlockVersion(ServerCall call, AllocateBlockVersionRequest req, Caller caller)
      throws RpcException {
    AllocateBlockVersionOp.Plan plan = AllocateBlockVersionOp.prepare(req, caller, ctx);
    List<BlockLocation> pipeline = placement.place(registry.candidates(), plan.replicas(),
        clientHost(call, req.getClientHost()), new HashSet<>(req.getExcludedWorkersList()));
    answer(call, Prepared.propose(plan.entry()), r -> AllocateBlockVersionResponse.newBuilder()
        .setBlock(BlockInfo.newBuilder().setBlockId(plan.blockId()).addAllLocations(pipeline)).build());
  }

  /** The host placement should favour: the one the client named, else the one it calls from. */
  private static String clientHost(ServerCall call, String named) {
    return named.isEmpty() ? remoteHost(call) : named;
  }

  private static String remoteHost(ServerCall call) {
    return call.remoteAddress() instanceof InetSocketAddress a ? a.getHostString() : "";
  }

  /** The mount a MOUNT created, from the mount point's inode in the result and the table. */
  private MountInfo mountInfo(ApplyResult r) {
    long id = r.getInfo().getId();
    // Unmounted again between apply and here: the id is all there is to tell.
    return mounts.mounts().getMountsList().stream().filter(m -> m.getMountId() == id).findFirst()
        .orElse(MountInfo.newBuilder().setMountId(id).build());
  }

  /** Decides a mutation on the leader, unless it is the retry of one in flight or applied (see RetriedRequests). */
  private void mutate(ServerCall call, PrepareStep prepare, Function<ApplyResult, Message> response) {
    reply(call, propose(call, prepare), response);
  }

  /** As {@link #mutate}, for a caller that acts on the outcome before answering. */
  private CompletableFuture<ApplyResult> propose(ServerCall call, PrepareStep prepare) {
    return retried.run(call.clientId(), call.requestId(), stamp -> {
      Prepared p = prepare.run();
      if (p.answer() != null) {
        return CompletableFuture.completedFuture(p.answer());
      }
      return journal.propose(stamp == null ? p.entry() : p.entry().toBuilder().setRequest(stamp).build());
    });
  }

  /**
   * A decision that changes the namespace goes to the UFS first when it is under a mount (DESIGN §4): {@code ufs}
   * runs only for a decision to propose, and its failure fails the call with nothing proposed.
   */
  private static Prepared throughUfs(Prepared p, UfsStep ufs) throws RpcException {
    if (p.entry() != null) {
      ufs.run();
    }
    return p;
  }

  private interface UfsStep {
    void run() throws RpcException;
  }

  /** A namespace op's leader-side decision. */
  private interface PrepareStep {
    Prepared run() throws RpcException;
  }

  /**
   * Answers {@code call} with the outcome of {@code p}: its immediate answer, or the result of proposing its entry.
   * An error status fails the call with it; OK answers {@code response(result)} after queueing the removal of any
   * blocks the op released.
   */
  private void answer(ServerCall call, Prepared p, Function<ApplyResult, Message> response) {
    reply(call, p.answer() != null ? CompletableFuture.completedFuture(p.answer()) : journal.propose(p.entry()),
        response);
  }

  /** Answers {@code call} once {@code f} completes. */
  private void reply(ServerCall call, CompletableFuture<ApplyResult> f, Function<ApplyResult, Message> response) {
    f.whenComplete((r, error) -> {
      try {
        if (error != null) {
          call.fail(error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
        } else if (r.getStatus() != Status.OK) {
          call.fail(r.getStatus(), r.getMessage());
        } else {
          if (r.getRemovedBlockIdsCount() > 0) {
            registry.removeBlocks(r.getRemovedBlockIdsList());
          }
          call.respond(response.apply(r));
        }
      } catch (RuntimeException e) {
        call.fail(e);  // never leave the caller waiting for its timeout
      }
    });
  }
}
