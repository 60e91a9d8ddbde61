package io.sluice.worker.master;

import io.sluice.common.proto.BlockLoadFailure;
import io.sluice.common.proto.GetMountsRequest;
import io.sluice.common.proto.GetMountsResponse;
import io.sluice.common.proto.MasterMethod;
import io.sluice.common.proto.MountInfo;
import io.sluice.common.proto.RegisterWorkerRequest;
import io.sluice.common.proto.RegisterWorkerResponse;
import io.sluice.common.proto.WorkerAddress;
import io.sluice.common.proto.WorkerCommand;
import io.sluice.common.proto.WorkerHeartbeatRequest;
import io.sluice.common.proto.WorkerHeartbeatResponse;
import io.sluice.common.rpc.FailoverRpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.worker.block.BlockStore;
import io.sluice.worker.block.CommitReporter;
import io.sluice.worker.copy.BlockCopier;
import io.sluice.worker.ufs.LoadTasks;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.io.Closeable;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's side of its relation with the master (DESIGN §1): register with a full block report, then
 * heartbeat every interval with capacity and the block changes since the last acknowledged heartbeat, and carry out
 * the commands in the replies. The master not answering is logged once per change of state, never per attempt;
 * the worker keeps serving meanwhile.
 */
public final class MasterLink implements Closeable, CommitReporter {
  private static final Logger LOG = LoggerFactory.getLogger(MasterLink.class);
  private static final long UNREGISTERED = -1;

  private final FailoverRpcClient master;
  private final WorkerAddress self;
  private final BlockStore store;
  private final Duration interval;
  private final BlockDeltas deltas = new BlockDeltas();
  private final LoadTasks loadTasks;
  private final BlockCopier copier;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "worker-heartbeat");
    t.setDaemon(true);
    return t;
  });
  private long workerId = UNREGISTERED;
  /**
   * Reports waiting for the next beat; guarded by itself, not by this link, which a beat holds for its whole RPC:
   * a commit on an event loop queues its report without waiting for a beat in flight (or a master not answering).
   */
  private final List<CompletableFuture<Void>> waiting = new ArrayList<>();
  private boolean reachable = true;

  public MasterLink(FailoverRpcClient master, WorkerAddress self, BlockStore store, Duration interval) {
    this(master, self, store, interval, null);
  }

  /**
   * @param loadTasks carries out LOAD_BLOCKS commands and holds their failures for the heartbeats; null for a
   *     worker without read-through, which ignores them
   */
  public MasterLink(FailoverRpcClient master, WorkerAddress self, BlockStore store, Duration interval,
      LoadTasks loadTasks) {
    this(master, self, store, interval, loadTasks, null);
  }

  /**
   * @param copier carries out COPY_BLOCKS commands (a decommission's drain) and holds their failures for the
   *     heartbeats; null for a worker that ignores them
   */
  public MasterLink(FailoverRpcClient master, WorkerAddress self, BlockStore store, Duration interval,
      LoadTasks loadTasks, BlockCopier copier) {
    this.master = master;
    this.loadTasks = loadTasks;
    this.copier = copier;
    this.self = self;
    this.store = store;
    this.interval = interval;
    store.setListener(deltas);
  }

  /** Starts beating: the first beat registers. */
  public void start() {
    timer.scheduleWithFixedDelay(this::beat, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The id the master gave this worker, or -1 before registration. */
  public synchronized long workerId() {
    return workerId;
  }

  /** Beats now, out of schedule; the block was committed before, so the beat's deltas carry it. */
  @Override
  public CompletableFuture<Void> reportCommitted(long blockId) {
    CompletableFuture<Void> reported = new CompletableFuture<>();
    synchronized (waiting) {
      waiting.add(reported);
    }
    try {
      timer.execute(this::beat);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      reported.complete(null); // shutting down: the writer need not wait
    }
    return reported;
  }

  private synchronized void beat() {
    List<CompletableFuture<Void>> reports;
    synchronized (waiting) {
      reports = new ArrayList<>(waiting);
      waiting.clear();
    }
    try {
      if (workerId == UNREGISTERED) {
        register();
      } else {
        heartbeat();
      }
      if (!reachable) {
        LOG.info("master reachable again");
        reachable = true;
      }
    } catch (RpcException e) {
      if (reachable) {
        LOG.warn("master not answering ({}: {}); retrying every {} ms", e.status(), e.getMessage(),
            interval.toMillis());
        reachable = false;
      }
    } catch (RuntimeException e) {
      LOG.error("heartbeat failed", e); // keep the schedule alive: an exception would cancel it
    } finally {
      reports.forEach(r -> r.complete(null));
    }
  }

  /**
   * The master's mount table (GET_MOUNTS), for UFS read-through. Blocks for up to the retry budget of one heartbeat
   * interval; callable from any thread but an event loop, independently of the heartbeats.
   */
  public List<MountInfo> mounts() throws RpcException {
    return master.call(MasterMethod.GET_MOUNTS_VALUE, GetMountsRequest.getDefaultInstance(),
        GetMountsResponse.parser()).getMountsList();
  }

  private void register() throws RpcException {
    deltas.clear(); // the full report below covers them; later changes queue up again
    RegisterWorkerRequest.Builder req = RegisterWorkerRequest.newBuilder().setAddress(self)
        .setCapacityBytes(store.capacity()).setUsedBytes(store.used());
    for (long id : store.blockIds()) {
      req.addBlockIds(id);
    }
    RegisterWorkerResponse resp = master.call(MasterMethod.REGISTER_WORKER_VALUE, req.build(),
        RegisterWorkerResponse.parser());
    workerId = resp.getWorkerId();
    // Pins are soft state: after a restart this worker has none until here; after a master failover it may hold
    // pins the new leader would not give (an unpin the old one had not sent yet). The answer is the whole truth for
    // the blocks reported.
    store.repin(req.getBlockIdsList(), resp.getPinnedBlockIdsList());
    store.releaseEviction(); // the blocks to keep are known now (a no-op after the first registration)
    LOG.info("registered with the master as worker {} ({} blocks, {} pinned)", workerId, req.getBlockIdsCount(),
        resp.getPinnedBlockIdsCount());
  }

  private void heartbeat() throws RpcException {
    store.checkDirs(); // a directory found gone now has its blocks in this beat's removed list
    BlockDeltas.Batch batch = deltas.take();
    List<BlockLoadFailure> failedLoads = loadTasks == null ? List.of() : loadTasks.takeFailures();
    List<BlockLoadFailure> failedCopies = copier == null ? List.of() : copier.takeFailures();
    WorkerHeartbeatResponse resp;
    try {
      resp = master.call(MasterMethod.WORKER_HEARTBEAT_VALUE, WorkerHeartbeatRequest.newBuilder()
          .setWorkerId(workerId).setCapacityBytes(store.capacity()).setUsedBytes(store.used())
          .addAllAddedBlocks(batch.added()).addAllRemovedBlocks(batch.removed()).addAllFailedLoads(failedLoads)
          .addAllFailedCopies(failedCopies).build(), WorkerHeartbeatResponse.parser());
    } catch (RpcException | RuntimeException e) {
      deltas.restore(batch);
      if (loadTasks != null) {
        loadTasks.restoreFailures(failedLoads);
      }
      if (copier != null) {
        copier.restoreFailures(failedCopies);
      }
      throw e;
    }
    for (WorkerCommand c : resp.getCommandsList()) {
      switch (c.getType()) {
        case REGISTER -> {
          LOG.info("the master does not know this worker; registering again");
          workerId = UNREGISTERED;
          register();
        }
        case REMOVE_BLOCKS -> remove(c);
        case LOAD_BLOCKS -> load(c);
        case COPY_BLOCKS -> copy(c);
        case PIN_BLOCKS -> c.getBlockIdsList().forEach(store::pin);
        case UNPIN_BLOCKS -> c.getBlockIdsList().forEach(store::unpin);
        default -> { }
      }
    }
  }

  /** Starts the loads; they run on the UFS threads, never on this one. */
  private void load(WorkerCommand c) {
    if (loadTasks == null) {
      LOG.warn("ignoring {} load tasks: this worker has no UFS read-through", c.getLoadsCount());
      return;
    }
    loadTasks.run(c.getLoadsList());
  }

  /** Queues the copies; they run on the copier's threads, never on this one. */
  private void copy(WorkerCommand c) {
    if (copier == null) {
      LOG.warn("ignoring {} copy tasks: this worker does not copy blocks", c.getCopiesCount());
      return;
    }
    copier.run(c.getCopiesList());
  }

  private void remove(WorkerCommand c) {
    for (long id : c.getBlockIdsList()) {
      store.delete(id);
    }
  }

  @Override
  public void close() {
    // Let a beat in flight finish rather than interrupt it: an RPC abandoned mid-wait leaves its late response
    // frame unreleased (RpcClient.await), which the leak detector rightly flags. Interrupt only a beat that hangs.
    timer.shutdown();
    try {
      if (!timer.awaitTermination(5, TimeUnit.SECONDS)) {
        timer.shutdownNow();
        timer.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      timer.shutdownNow();
      Thread.currentThread().interrupt();
    }
    synchronized (waiting) {
      waiting.forEach(r -> r.complete(null));
    }
    master.close();
  }
}
