package io.sluice.master.worker;

import io.sluice.common.proto.BlockCopyTask;
import io.sluice.common.proto.BlockLoadFailure;
import io.sluice.common.proto.BlockLoadTask;
import io.sluice.common.proto.BlockLocation;
import io.sluice.common.proto.DecommissionState;
import io.sluice.common.proto.RegisterWorkerRequest;
import io.sluice.common.proto.WorkerAddress;
import io.sluice.common.proto.WorkerCommand;
import io.sluice.common.proto.WorkerHeartbeatRequest;
import io.sluice.common.proto.WorkerHeartbeatResponse;
import io.sluice.common.proto.WorkerSummary;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live workers and which blocks each holds: soft state, never journaled, rebuilt from registrations and
 * heartbeats after a master restart or failover (DESIGN §1).
 *
 * <p>A worker registers with its address and a full block report and gets an id; the same address gets the same
 * id for as long as this master runs. It then heartbeats; a worker silent for longer than the timeout is lost: its
 * blocks no longer count as locations and its next heartbeat is answered REGISTER, so it re-reports everything. A
 * heartbeat from an id this master does not know (it restarted) is answered REGISTER too.
 *
 * <p>Blocks reported but not allocated in the namespace ({@code isAllocated} false: their file was deleted or
 * overwritten) and blocks of files deleted later ({@link #removeBlocks}) are sent back as REMOVE_BLOCKS. Time comes
 * from the clock given, so tests move it by hand. Thread-safe (one lock: heartbeats are one per worker per
 * second).
 *
 * <p>A worker's decommission state (see {@code io.sluice.master.decommission}) is kept here because placement and
 * reads depend on it: a worker not IN_SERVICE is no placement candidate, and its locations are listed after those
 * of in-service workers (a DECOMMISSIONED worker's not at all while another live worker holds the block). The state
 * outlives the worker's re-registrations, not this master.
 *
 * <p>What each worker is told next waits in its {@link WorkerCommandQueue}; who holds each block is in
 * {@link BlockLocations}. Both are guarded by this registry's lock.
 */
public final class WorkerRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerRegistry.class);

  private final HeartbeatTimeout timeout;
  private final Map<Long, WorkerState> workers = new HashMap<>();
  private final Map<String, Long> idsByAddress = new HashMap<>();
  private final BlockLocations locations;
  private long nextWorkerId = 1;
  private final TaskFailureRelay failures = new TaskFailureRelay();
  private volatile Function<Collection<Long>, Set<Long>> keeper = blocks -> Set.of();

  /**
   * @param timeout how long a worker may stay silent before it is lost
   * @param isAllocated whether a block id belongs to a file of the namespace
   */
  public WorkerRegistry(Clock clock, Duration timeout, LongPredicate isAllocated) {
    this.timeout = new HeartbeatTimeout(clock, timeout);
    this.locations = new BlockLocations(isAllocated);
  }

  /** Hears of load tasks a worker reports failed (called under the registry's lock: hand off, do not call back). */
  @FunctionalInterface
  public interface LoadFailureListener {
    void failed(long workerId, BlockLoadFailure failure);
  }

  public void onLoadFailures(LoadFailureListener listener) {
    failures.onLoadFailures(listener);
  }

  /**
   * Decides which of the blocks a worker reports it must never evict (issue 4: those of Sluice-native and pinned
   * files); they are answered PIN_BLOCKS, in the registration's answer ({@link #takePins}) or the heartbeat's. Called
   * under the registry's lock: it may read the namespace, never call back. Pins are soft state on the worker, so
   * every registration (a worker restart, a master failover) pins again all that its full report must keep.
   */
  public void keepBlocks(Function<Collection<Long>, Set<Long>> keeper) {
    this.keeper = keeper;
  }

  /**
   * Tells the workers holding {@code pin} to pin them and those holding {@code unpin} to let them be evicted, with
   * their next heartbeat replies (a pin or rename changed what must be kept). Blocks no live worker holds are skipped:
   * a worker that reports one later is answered as {@link #keepBlocks} decides then.
   */
  public synchronized void queuePins(Collection<Long> pin, Collection<Long> unpin) {
    for (long b : pin) {
      locations.holders(b).forEach(id -> workers.get(id).commands.pin(b));
    }
    for (long b : unpin) {
      locations.holders(b).forEach(id -> workers.get(id).commands.unpin(b));
    }
  }

  /** Takes the pins queued for worker {@code workerId} (to send them in its registration's answer). */
  public synchronized List<Long> takePins(long workerId) {
    WorkerState w = workers.get(workerId);
    return w == null ? List.of() : w.commands.takePins();
  }

  /** Hears of copy tasks a worker reports failed; same rules as {@link #onLoadFailures}. */
  public void onCopyFailures(LoadFailureListener listener) {
    failures.onCopyFailures(listener);
  }

  /**
   * Queues copy tasks for a worker (their target), sent with its next heartbeat reply.
   *
   * @return false when the worker is not live
   */
  public synchronized boolean queueCopies(long workerId, List<BlockCopyTask> tasks) {
    WorkerState w = liveWorker(workerId);
    if (w != null) {
      w.commands.copy(tasks);
    }
    return w != null;
  }

  /**
   * Queues load tasks for a worker, sent with its next heartbeat reply.
   *
   * @return false when the worker is not live (the caller picks another)
   */
  public synchronized boolean queueLoads(long workerId, List<BlockLoadTask> tasks) {
    WorkerState w = liveWorker(workerId);
    if (w != null) {
      w.commands.load(tasks);
    }
    return w != null;
  }

  /** The worker if it is live now, else null. */
  private WorkerState liveWorker(long workerId) {
    WorkerState w = workers.get(workerId);
    return w == null || !timeout.live(w, timeout.now()) ? null : w;
  }

  /**
   * How long after taking over this registry may still miss workers: a live worker heartbeats well within the
   * timeout, is told to register again, and brings its block report.
   */
  public Duration settleTime() {
    return timeout.timeout();
  }

  /** Registers (or re-registers) the worker at {@code req.address}, replacing what it reported before. */
  public synchronized long register(RegisterWorkerRequest req) {
    WorkerAddress address = req.getAddress();
    String key = address.getHost() + ":" + address.getDataPort();
    long id = idsByAddress.computeIfAbsent(key, k -> nextWorkerId++);
    WorkerState old = workers.get(id);
    WorkerState w = new WorkerState(id, address);
    if (old != null) {
      locations.dropAll(old);
      w.keepDecommissionOf(old);
    }
    w.capacityBytes = req.getCapacityBytes();
    w.usedBytes = req.getUsedBytes();
    w.lastHeartbeatMs = timeout.now();
    workers.put(id, w);
    addBlocks(w, req.getBlockIdsList());
    LOG.info("worker {} registered at {} ({} blocks, {} of {} bytes used)", id, key, w.blocks.size(),
        w.usedBytes, w.capacityBytes);
    return id;
  }

  /** Records a heartbeat and answers with what the worker must do. */
  public synchronized WorkerHeartbeatResponse heartbeat(WorkerHeartbeatRequest req) {
    WorkerState w = workers.get(req.getWorkerId());
    if (w != null && w.live && timeout.expired(w, timeout.now())) {
      markLost(w);
    }
    if (w == null || !w.live) {
      return WorkerHeartbeatResponse.newBuilder()
          .addCommands(WorkerCommand.newBuilder().setType(WorkerCommand.Type.REGISTER)).build();
    }
    w.lastHeartbeatMs = timeout.now();
    w.capacityBytes = req.getCapacityBytes();
    w.usedBytes = req.getUsedBytes();
    for (long b : req.getRemovedBlocksList()) {
      locations.removed(w, b);
    }
    addBlocks(w, req.getAddedBlocksList());
    failures.relay(w.id, req);
    WorkerHeartbeatResponse.Builder reply = WorkerHeartbeatResponse.newBuilder();
    w.commands.drainTo(reply);
    return reply.build();
  }

  /**
   * Forgets {@code blockIds} (their files are gone) and queues their removal on the workers that hold them.
   */
  public synchronized void removeBlocks(Collection<Long> blockIds) {
    for (long b : blockIds) {
      locations.deleted(b, workers::get);
    }
  }

  /**
   * The live workers holding {@code blockId}, in {@link ReadOrder}: in-service ones first, then decommissioning ones;
   * decommissioned ones only when no other live worker holds the block.
   */
  public synchronized List<BlockLocation> locations(long blockId) {
    Set<Long> holders = locations.holders(blockId);
    long now = timeout.now();
    List<WorkerState> live = new ArrayList<>(holders.size());
    for (long id : holders) {
      WorkerState w = workers.get(id);
      if (!timeout.expired(w, now)) {
        live.add(w);
      }
    }
    return ReadOrder.of(live);
  }

  /** Workers that can take new blocks (and load or copy tasks) now: live and in service. */
  public synchronized List<PlacementCandidate> candidates() {
    long now = timeout.now();
    List<PlacementCandidate> out = new ArrayList<>();
    for (WorkerState w : workers.values()) {
      if (timeout.live(w, now) && w.decommission == DecommissionState.IN_SERVICE) {
        out.add(new PlacementCandidate(w.id, w.address, w.freeBytes()));
      }
    }
    return out;
  }

  /** The id of the worker serving data at {@code host:dataPort}, as it registered. */
  public synchronized OptionalLong idOf(String hostAndDataPort) {
    Long id = idsByAddress.get(hostAndDataPort);
    return id == null ? OptionalLong.empty() : OptionalLong.of(id);
  }

  /**
   * Sets a known worker's decommission state; back IN_SERVICE, its drain's progress is forgotten.
   *
   * @return false for a worker this registry does not know
   */
  public synchronized boolean setDecommission(long workerId, DecommissionState state) {
    WorkerState w = workers.get(workerId);
    if (w == null) {
      return false;
    }
    if (w.decommission != state) {
      LOG.info("worker {} at {}:{}: {} -> {}", w.id, w.address.getHost(), w.address.getDataPort(), w.decommission,
          state);
    }
    w.setDecommission(state);
    return true;
  }

  /** Every worker being drained or drained, live or not, with the blocks it holds now. */
  public synchronized List<DrainingWorker> draining() {
    long now = timeout.now();
    List<DrainingWorker> out = new ArrayList<>();
    for (WorkerState w : workers.values()) {
      if (w.decommission != DecommissionState.IN_SERVICE) {
        out.add(new DrainingWorker(w.id, w.address, timeout.live(w, now), w.decommission,
            Set.copyOf(w.blocks)));
      }
    }
    return out;
  }

  /** Whether a live in-service worker holds {@code blockId}: a decommissioning worker's copy is then not its last. */
  public synchronized boolean heldInService(long blockId) {
    long now = timeout.now();
    for (long id : locations.holders(blockId)) {
      WorkerState w = workers.get(id);
      if (timeout.live(w, now) && w.decommission == DecommissionState.IN_SERVICE) {
        return true;
      }
    }
    return false;
  }

  /**
   * Records what a drain round found for a worker still being drained, and its state after it; a worker returned
   * to service meanwhile (cancel) keeps IN_SERVICE.
   */
  public synchronized void drained(long workerId, DecommissionState state, long remaining, String stuck) {
    WorkerState w = workers.get(workerId);
    if (w == null || w.decommission == DecommissionState.IN_SERVICE) {
      return;
    }
    setDecommission(workerId, state);
    w.drainFound(remaining, stuck);
  }

  /** One worker as {@link #summaries()} lists it. */
  public synchronized Optional<WorkerSummary> summary(long workerId) {
    WorkerState w = workers.get(workerId);
    long now = timeout.now();
    return w == null ? Optional.empty() : Optional.of(w.summary(timeout.live(w, now), now));
  }

  /** Every worker known, live or lost, in id order. */
  public synchronized List<WorkerSummary> summaries() {
    long now = timeout.now();
    return workers.values().stream().sorted((a, b) -> Long.compare(a.id, b.id))
        .map(w -> w.summary(timeout.live(w, now), now)).toList();
  }

  /**
   * Marks workers silent for longer than the timeout as lost and drops their block locations. Called
   * periodically; reads already ignore expired workers, this frees what they held.
   *
   * @return how many workers were lost by this call
   */
  public synchronized int expireLost() {
    long now = timeout.now();
    int lost = 0;
    for (WorkerState w : workers.values()) {
      if (w.live && timeout.expired(w, now)) {
        markLost(w);
        lost++;
      }
    }
    return lost;
  }

  private void markLost(WorkerState w) {
    LOG.warn("worker {} at {}:{} lost: no heartbeat for over {} ms", w.id, w.address.getHost(),
        w.address.getDataPort(), timeout.timeout().toMillis());
    w.live = false;
    locations.dropAll(w);
    w.commands.clearOnLoss();
  }

  private void addBlocks(WorkerState w, List<Long> blockIds) {
    List<Long> added = locations.add(w, blockIds);
    if (!added.isEmpty()) {
      w.commands.pinAll(keeper.apply(added));
    }
  }
}
