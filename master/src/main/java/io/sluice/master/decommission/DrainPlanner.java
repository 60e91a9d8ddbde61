package io.sluice.master.decommission;

import io.sluice.common.proto.BlockCopyTask;
import io.sluice.common.proto.BlockLoadFailure;
import io.sluice.common.proto.BlockLocation;
import io.sluice.common.proto.DecommissionState;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.decommission.BlockSources.BlockSource;
import io.sluice.master.worker.BlockPlacement;
import io.sluice.master.worker.DrainingWorker;
import io.sluice.master.worker.PlacementCandidate;
import io.sluice.master.worker.WorkerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongFunction;

/**
 * One drain round over every worker not in service: which of its blocks no live in-service worker holds yet
 * ("remaining"), which of those to copy now and to which worker, and the worker's state after the round.
 *
 * <p>A block is drained once a live in-service worker holds it, whoever copied it there (a copy task, a reader's
 * read-through, another replica written earlier). An undrained block gets one copy task at a time: its target is
 * drawn like a block's placement (weighted by free bytes) among the live in-service workers with room for it that
 * have not failed to copy it, and the task is in flight until the target reports the block (the registry then
 * lists it as held), reports the copy failed, or the copy timeout passes; then the block is planned again. A
 * source worker has at most {@code maxCopiesPerWorker} copies in flight, so a drain of a big worker neither floods
 * heartbeats nor its disk.
 *
 * <p>A worker whose blocks are all drained is DECOMMISSIONED; one that was but holds an undrained block again (the
 * worker holding the copy was lost) is DECOMMISSIONING again. A block no worker can take now (none has room, or it
 * failed on all of them) is named in the worker's stuck reason, and tried again next round. A worker that is lost
 * keeps its state: its blocks are unknown until it registers again.
 *
 * <p>Rounds run on one thread at a time ({@link #round} is synchronized); failures arrive from heartbeat threads
 * through a queue.
 */
final class DrainPlanner {
  private record InFlight(long sourceId, long targetId, long deadlineMs) {}

  private record Failure(long targetId, BlockLoadFailure failure) {}

  private final WorkerRegistry registry;
  private final BlockPlacement placement;
  private final LongFunction<Optional<BlockSource>> sources;
  private final Clock clock;
  private final int maxCopiesPerWorker;
  private final long copyTimeoutMs;
  private final Map<Long, InFlight> inFlight = new HashMap<>();
  /** Per undrained block: the targets it failed on (not tried again until all have failed) and the last reason. */
  private final Map<Long, Set<Long>> failedOn = new HashMap<>();
  private final Map<Long, String> lastFailure = new HashMap<>();
  private final ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>();

  DrainPlanner(WorkerRegistry registry, BlockPlacement placement, LongFunction<Optional<BlockSource>> sources,
      Clock clock, int maxCopiesPerWorker, Duration copyTimeout) {
    this.registry = registry;
    this.placement = placement;
    this.sources = sources;
    this.clock = clock;
    this.maxCopiesPerWorker = maxCopiesPerWorker;
    this.copyTimeoutMs = copyTimeout.toMillis();
  }

  /** A target reported a copy failed (called on a heartbeat thread under the registry's lock: hands off only). */
  void copyFailed(long targetId, BlockLoadFailure failure) {
    failures.add(new Failure(targetId, failure));
  }

  /** Plans and queues the copies of every worker not in service, and records each one's state and progress. */
  synchronized void round() {
    takeFailures();
    // Copies that landed free their source's slots before anything is planned.
    inFlight.keySet().removeIf(registry::heldInService);
    long now = clock.millis();
    Set<Long> wanted = new HashSet<>();
    for (DrainingWorker w : registry.draining()) {
      if (!w.live()) {
        if (w.state() == DecommissionState.DECOMMISSIONING) {
          registry.drained(w.workerId(), w.state(), 0, "the worker is not live: its blocks are unknown until it "
              + "registers again");
        }
        continue;
      }
      drain(w, now, wanted);
    }
    // Copies of blocks no longer wanted (drained, deleted, or their worker back in service) are forgotten; a late
    // copy still lands and is just one more replica.
    inFlight.keySet().retainAll(wanted);
    failedOn.keySet().retainAll(wanted);
    lastFailure.keySet().retainAll(wanted);
  }

  private void takeFailures() {
    for (Failure f; (f = failures.poll()) != null; ) {
      long block = f.failure().getBlockId();
      InFlight c = inFlight.get(block);
      if (c != null && c.targetId() == f.targetId()) {
        inFlight.remove(block);
      }
      failedOn.computeIfAbsent(block, b -> new HashSet<>()).add(f.targetId());
      lastFailure.put(block, "worker " + f.targetId() + ": " + f.failure().getStatus() + ": "
          + f.failure().getMessage());
    }
  }

  private void drain(DrainingWorker w, long now, Set<Long> wanted) {
    List<PlacementCandidate> candidates = registry.candidates();
    Map<Long, Long> planned = new HashMap<>(); // bytes given to each target this round, not in its free bytes yet
    Map<Long, List<BlockCopyTask>> tasks = new LinkedHashMap<>();
    long busy = inFlight.values().stream().filter(c -> c.sourceId() == w.workerId() && c.deadlineMs() > now)
        .count();
    long remaining = 0;
    String stuck = "";
    for (long block : new TreeSet<>(w.blocks())) {
      if (registry.heldInService(block)) {
        continue;
      }
      remaining++;
      wanted.add(block);
      InFlight current = inFlight.get(block);
      if (current != null && current.deadlineMs() > now) {
        continue;
      }
      if (current != null) {
        inFlight.remove(block);
        failedOn.computeIfAbsent(block, b -> new HashSet<>()).add(current.targetId());
        lastFailure.put(block, "worker " + current.targetId() + ": no copy within " + copyTimeoutMs + " ms");
      }
      if (busy >= maxCopiesPerWorker) {
        continue;
      }
      // Looked up only for a block about to be copied: a round over a big worker reads the namespace at most
      // about maxCopiesPerWorker times.
      Optional<BlockSource> source = sources.apply(block);
      if (source.isEmpty()) {
        remaining--; // its file is gone: the block is being removed, nothing to keep
        continue;
      }
      long length = source.get().length();
      List<PlacementCandidate> roomy = candidates.stream()
          .filter(c -> c.freeBytes() - planned.getOrDefault(c.workerId(), 0L) >= length).toList();
      if (roomy.isEmpty()) {
        if (stuck.isEmpty()) {
          stuck = "block " + block + " (" + length + " bytes): no other live in-service worker has room for it";
        }
        continue;
      }
      Set<Long> failed = failedOn.getOrDefault(block, Set.of());
      List<PlacementCandidate> pool = roomy.stream().filter(c -> !failed.contains(c.workerId())).toList();
      if (pool.isEmpty()) {
        // Failed on every worker with room: each gets another chance, and the operator hears why it is slow.
        if (stuck.isEmpty()) {
          stuck = "block " + block + ": the copy failed on every worker with room, retrying ("
              + lastFailure.get(block) + ")";
        }
        failedOn.remove(block);
        pool = roomy;
      }
      BlockLocation target = pick(pool);
      if (target == null) {
        continue;
      }
      BlockCopyTask.Builder task = BlockCopyTask.newBuilder().setBlockId(block).setLength(length)
          .setSource(w.address());
      if (source.get().ufs() != null) {
        task.setUfs(source.get().ufs());
      }
      tasks.computeIfAbsent(target.getWorkerId(), t -> new ArrayList<>()).add(task.build());
      planned.merge(target.getWorkerId(), length, Long::sum);
      inFlight.put(block, new InFlight(w.workerId(), target.getWorkerId(), now + copyTimeoutMs));
      busy++;
    }
    tasks.forEach((target, list) -> {
      if (!registry.queueCopies(target, list)) {
        list.forEach(t -> inFlight.remove(t.getBlockId())); // lost since: planned again next round
      }
    });
    DecommissionState state = remaining == 0 ? DecommissionState.DECOMMISSIONED : DecommissionState.DECOMMISSIONING;
    registry.drained(w.workerId(), state, remaining, stuck);
  }

  private BlockLocation pick(List<PlacementCandidate> pool) {
    try {
      return placement.place(pool, 1, "", Set.of()).get(0);
    } catch (RpcException e) {
      return null; // only for an empty pool, excluded above
    }
  }
}
