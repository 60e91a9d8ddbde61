package io.sluice.master.rpc;

import io.sluice.common.proto.MasterMethod;
import io.sluice.common.proto.MasterStatus;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcHandler;
import io.sluice.common.rpc.ServerCall;
import io.sluice.master.decommission.Decommissioner;
import io.sluice.master.job.LoadJobs;
import io.sluice.master.journal.Journal;
import io.sluice.master.mount.MountService;
import io.sluice.master.namespace.Caller;
import io.sluice.master.namespace.LeaderContext;
import io.sluice.master.security.CallerResolver;
import io.sluice.master.store.NamespaceStore;
import io.sluice.master.worker.BlockPlacement;
import io.sluice.master.worker.WorkerRegistry;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * The master's RPC service: every {@link MasterMethod}, dispatched on the call's method number to the class handling
 * its group. Calls are handed from the network event loop to {@code executor} at once (RocksDB reads and placement
 * block, if briefly), except, with {@code inlineReads}, a GET_STATUS that cannot wait for anything (see
 * {@link #answeredInline}), and every FILE_CLOSING: the hand-off and the answer's way back cost two thread wake-ups,
 * more than such a call.
 *
 * <p>Mutations follow DESIGN §3: the namespace op decides on the leader ({@code prepare}), the entry goes through the
 * {@link Journal}, and the apply result's status is the answer ({@link Proposals}); blocks the op released are handed
 * to the worker registry for removal. Reads go to the store directly, on the leader, through a snapshot when they
 * read several keys. Worker registration and heartbeats touch only the registry (soft state).
 *
 * <p>Every method but GET_MASTER_STATUS is for the leader only, checked here before the call's user is resolved. The
 * handler and the method groups hold no mutable state of their own but {@link ClosingFiles}' (thread-safe): calls run
 * concurrently on {@code executor}.
 */
public final class MasterRpcHandler implements RpcHandler {
  private final Journal journal;
  private final Executor executor;
  private final boolean inlineReads;
  private final CallerResolver callers;
  private final NamespaceChanges changes;
  private final PinChanges pinChanges;
  private final NamespaceReads reads;
  private final BlockMethods blocks;
  private final MountMethods mountMethods;
  private final CacheMethods cache;
  private final WorkerMethods workers;
  private final AdminMethods admin;
  private final ClosingFiles closing;

  /**
   * @param advertisedAddress this master's RPC {@code host:port}, reported by GET_CLUSTER_INFO
   * @param retryExpiry how long the outcome of a deduplicated mutation answers its retries
   * @param callers resolves the handshake's user to the caller whose permissions are checked
   * @param mounts the mount table and the UFS metadata sync
   * @param loads the load jobs this leader runs
   * @param status this master's own view (its /api/status), answered to GET_MASTER_STATUS
   * @param decommissioner drains the workers an administrator decommissions
   * @param inlineReads answer cheap GET_STATUS calls on the network thread ({@code sluice.master.rpc.inline.reads})
   * @param closeWait how long reads wait for a file whose writer is closing it ({@code sluice.master.close.wait})
   */
  public MasterRpcHandler(NamespaceStore store, Journal journal, LeaderContext ctx, WorkerRegistry registry,
      BlockPlacement placement, Executor executor, Supplier<String> advertisedAddress, Duration retryExpiry,
      CallerResolver callers, MountService mounts, LoadJobs loads, Supplier<MasterStatus> status,
      Decommissioner decommissioner, boolean inlineReads, Duration closeWait) {
    this.journal = journal;
    this.executor = executor;
    this.inlineReads = inlineReads;
    this.callers = callers;
    Proposals proposals = new Proposals(journal, ctx, registry, retryExpiry);
    this.closing = new ClosingFiles(closeWait.toNanos(), System::nanoTime, executor, () -> {
      journal.checkLeader();
      journal.readBarrier();
    });
    WritePipelines pipelines = new WritePipelines(registry, placement);
    this.changes = new NamespaceChanges(store, ctx, mounts, proposals, closing, pipelines);
    this.pinChanges = new PinChanges(store, ctx, registry, mounts, proposals, executor);
    this.reads = new NamespaceReads(store, journal, mounts, closing);
    this.blocks = new BlockMethods(store, journal, ctx, registry, placement, pipelines, mounts, proposals,
        closing);
    this.mountMethods = new MountMethods(journal, mounts, proposals);
    this.cache = new CacheMethods(store, journal, registry, loads, proposals);
    this.workers = new WorkerMethods(registry);
    this.admin = new AdminMethods(store, registry, advertisedAddress, status, decommissioner);
  }

  @Override
  public void handle(ServerCall call) {
    if (inlineReads && call.method() == MasterMethod.GET_STATUS_VALUE && answeredInline(call)) {
      return;
    }
    if (call.method() == MasterMethod.FILE_CLOSING_VALUE) {
      // A map change that never waits, made at every close of a file a FUSE mount wrote: answered here, without
      // the two thread wake-ups of the hand-off.
      try {
        journal.checkLeader();
        closing.announce(call);
      } catch (Throwable t) {
        call.fail(t);
      }
      return;
    }
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

  /**
   * Answers a GET_STATUS here, on the network thread, when nothing in it can wait: the user is already resolved (no
   * OS group lookup), this master reads locally (a sole leader caught up: no Raft round, see
   * {@link Journal#readsLocally}) and the path is under no UFS mount (no UFS call); false when it must go to the
   * executor. The store reads left are RocksDB gets of the path's inodes.
   */
  private boolean answeredInline(ServerCall call) {
    Caller caller = callers.cached(call.user());
    if (caller == null || !journal.readsLocally()) {
      return false;
    }
    try {
      return reads.getStatusInline(call, caller);
    } catch (Throwable t) {
      call.fail(t);
      return true;
    }
  }

  private void dispatch(ServerCall call) throws RpcException {
    MasterMethod method = MasterMethod.forNumber(call.method());
    if (method == null) {
      throw new RpcException(Status.INVALID_ARGUMENT, "unknown master method " + call.method());
    }
    if (method == MasterMethod.GET_MASTER_STATUS) {
      // Before the leader check: every master answers for itself, so the CLI can show each one's Raft role.
      admin.masterStatus(call);
      return;
    }
    journal.checkLeader();
    Caller caller = callers.resolve(call.user());
    switch (method) {
      case MKDIR -> changes.mkdir(call, caller);
      case CREATE_FILE -> changes.createFile(call, caller);
      case ADD_BLOCK -> blocks.addBlock(call);
      case COMPLETE_FILE -> changes.completeFile(call);
      case ALLOCATE_BLOCK_VERSION -> blocks.allocateBlockVersion(call, caller);
      case COMMIT_EDIT -> changes.commitEdit(call, caller);
      case DELETE -> changes.delete(call, caller);
      case RENAME -> pinChanges.rename(call, caller);
      case SET_ATTRIBUTES -> changes.setAttributes(call, caller);
      case SET_PINNED -> pinChanges.setPinned(call, caller);
      case CREATE_SYMLINK -> changes.createSymlink(call, caller);
      case LINK -> changes.link(call, caller);
      case SET_XATTR -> changes.setXattr(call, caller);
      case REMOVE_XATTR -> changes.removeXattr(call, caller);
      case GET_XATTRS -> reads.getXattrs(call, caller);
      case GET_STATUS -> reads.getStatus(call, caller);
      case LIST_STATUS -> reads.listStatus(call, caller);
      case GET_BLOCK_LOCATIONS -> blocks.getBlockLocations(call, caller);
      case MOUNT -> mountMethods.mount(call, caller);
      case UNMOUNT -> mountMethods.unmount(call, caller);
      case FREE -> cache.free(call, caller);
      case LOAD -> cache.load(call, caller);
      case GET_JOB -> cache.getJob(call);
      case SET_TTL -> changes.setTtl(call, caller);
      case GET_MOUNTS -> mountMethods.getMounts(call);
      case REGISTER_WORKER -> workers.register(call);
      case WORKER_HEARTBEAT -> workers.heartbeat(call);
      case DECOMMISSION_WORKER -> admin.decommission(call, caller);
      case GET_CLUSTER_INFO -> admin.clusterInfo(call);
      default -> throw new RpcException(Status.INVALID_ARGUMENT, "unsupported master method " + method);
    }
  }
}
