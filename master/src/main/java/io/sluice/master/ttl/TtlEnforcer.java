package io.sluice.master.ttl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.common.proto.DeleteRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.TtlAction;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.journal.Journal;
import io.sluice.master.mount.DeleteThroughUfs;
import io.sluice.master.mount.MountService;
import io.sluice.master.namespace.ApplyResults;
import io.sluice.master.namespace.Caller;
import io.sluice.master.namespace.FreeOp;
import io.sluice.master.namespace.GetStatusOp;
import io.sluice.master.namespace.LeaderContext;
import io.sluice.master.namespace.Prepared;
import io.sluice.master.namespace.SetTtlOp;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.store.NamespaceReader;
import io.sluice.master.store.NamespaceStore;
import io.sluice.master.store.StoreSnapshot;
import io.sluice.master.worker.WorkerRegistry;
import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acts on paths whose TTL ran out (DESIGN §5, {@code sluice ttl}): every interval, on the leader only, it scans the
 * {@code ttls} index page by page and, for each inode whose {@code created_ms + ttl_ms} has passed,
 *
 * <ul>
 *   <li>{@code TTL_DELETE}: deletes the path recursively exactly as the DELETE RPC does ({@link DeleteThroughUfs}:
 *       the UFS first under a mount), as {@link Caller#SYSTEM};
 *   <li>{@code TTL_FREE}: drops the cached blocks of the UFS-backed files at or under the path exactly as the FREE
 *       RPC does ({@link FreeOp}), then clears the TTL (as Alluxio does after a free).
 * </ul>
 *
 * Index keys whose inode is gone (deleted; ids are never reused) are cleared in batches. A path that cannot be
 * deleted for good (a mount point, a read-only mount) has its TTL cleared with a warning; one that failed for a
 * passing reason (the UFS, the journal) is tried again next interval.
 *
 * <p>Counts what it did in {@value #ACTIONS} (tag {@code action} = {@code free} or {@code delete}).
 *
 * <p>Owns one daemon thread; {@link #close()} stops it.
 */
public final class TtlEnforcer implements Closeable {
  /** Counter of TTLs acted on, by action. */
  public static final String ACTIONS = "sluice.master.ttl.actions";

  private static final Logger LOG = LoggerFactory.getLogger(TtlEnforcer.class);

  /** Index keys read per page, and most ids one ClearTtlEntry carries: bounds memory and entry size. */
  static final int PAGE = 1000;

  /**
   * Failures that will not go away by trying again: the TTL is cleared. Anything else (UFS_ERROR, UNAVAILABLE,
   * IO_ERROR, NOT_LEADER, INTERNAL...) is retried next interval, since clearing would silently drop what the owner
   * asked for.
   */
  private static final Set<Status> PERMANENT = EnumSet.of(Status.NOT_FOUND, Status.INVALID_ARGUMENT,
      Status.PERMISSION_DENIED, Status.NOT_DIRECTORY, Status.IS_DIRECTORY, Status.NOT_EMPTY, Status.ALREADY_EXISTS);

  private final LeaderContext ctx;
  private final Journal journal;
  private final MountService mounts;
  private final WorkerRegistry registry;
  private final Counter frees;
  private final Counter deletes;
  private final ScheduledExecutorService timer;

  /**
   * Starts checking every {@code interval} (the first check one interval from now).
   *
   * @param ctx the store and the clock that says when a TTL ran out
   * @param journal where the deletes and clears go; also tells whether this master leads
   * @param mounts for deletes under a mount (guards, sync, the UFS)
   * @param registry takes the blocks a delete or free released
   * @param interval how often to check ({@code sluice.master.ttl.check.interval}); a TTL acts at most this late
   * @param meters where {@value #ACTIONS} is registered
   */
  public TtlEnforcer(LeaderContext ctx, Journal journal, MountService mounts, WorkerRegistry registry,
      Duration interval, MeterRegistry meters) {
    this.ctx = ctx;
    this.journal = journal;
    this.mounts = mounts;
    this.registry = registry;
    this.frees = counter(meters, "free");
    this.deletes = counter(meters, "delete");
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "master-ttl");
      t.setDaemon(true);
      return t;
    });
    long ms = Math.max(1, interval.toMillis());
    timer.scheduleWithFixedDelay(this::checkQuietly, ms, ms, TimeUnit.MILLISECONDS);
  }

  private static Counter counter(MeterRegistry meters, String action) {
    return Counter.builder(ACTIONS).tag("action", action).description("Paths whose TTL ran out, acted on")
        .register(meters);
  }

  /** A failed check must not end the schedule (a thrown exception would cancel it): log, try next interval. */
  private void checkQuietly() {
    try {
      check();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("TTL check failed; trying again next interval", e);
    }
  }

  /**
   * One pass over the TTL index, acting on what has expired by the clock's now. Does nothing unless this master
   * leads, and stops as soon as it no longer does (the next leader scans again: every decision is in the store).
   */
  void check() throws InterruptedException {
    long term = journal.leaderTerm();
    if (term < 0) {
      return;
    }
    long now = ctx.clock().millis();
    List<Long> done = new ArrayList<>();
    long after = 0;
    List<Long> page;
    do {
      page = ctx.store().reader().ttlInodes(after, PAGE);
      for (long id : page) {
        after = id;
        if (journal.leaderTerm() != term) {
          return;  // lost or changed leadership: what was decided in this term stays, the rest waits
        }
        Optional<InodeRecord> inode = ctx.store().reader().inode(id);
        if (inode.isEmpty() || inode.get().getTtlMs() <= 0) {
          done.add(id);  // deleted (with an ancestor, or by its owner): only its index key is left
        } else if (now >= SetTtlOp.expiryMs(inode.get())) {
          if (act(inode.get())) {
            done.add(id);
          }
        }
        if (done.size() >= PAGE) {
          clear(done);
        }
      }
    } while (page.size() == PAGE);
    clear(done);
  }

  /** Acts on the expired TTL of {@code inode}; true when its TTL is to be cleared, false to try again later. */
  private boolean act(InodeRecord inode) throws InterruptedException {
    TtlAction action = inode.getTtlAction();
    Optional<String> path = pathOf(ctx.store().reader(), inode);
    if (path.isEmpty()) {
      return false;  // an ancestor went away meanwhile: the next pass finds the inode gone
    }
    try {
      switch (action) {
        case TTL_DELETE -> delete(inode.getId(), path.get());
        case TTL_FREE -> free(path.get());
        default -> throw new RpcException(Status.INVALID_ARGUMENT, "unknown TTL action " + action);
      }
      LOG.info("TTL of {} ran out: {} done", path.get(), action == TtlAction.TTL_DELETE ? "delete" : "free");
      return true;
    } catch (RpcException e) {
      if (PERMANENT.contains(e.status())) {
        LOG.warn("TTL of {} ran out but {} is impossible ({}): clearing the TTL", path.get(), action,
            e.getMessage());
        return true;
      }
      LOG.warn("TTL of {} ran out but {} failed ({}); trying again next interval", path.get(), action,
          e.getMessage());
      return false;
    }
  }

  private void delete(long id, String path) throws RpcException, InterruptedException {
    DeleteThroughUfs.check(ctx, mounts, path);
    // The path was read before the sync: if the inode moved or was replaced meanwhile, what is there now is not
    // what expired. The next pass finds the inode again (under its new path) or finds it gone.
    if (GetStatusOp.run(ctx.store().reader(), path, Caller.SYSTEM).getId() != id) {
      throw new RpcException(Status.UNAVAILABLE, path + ": changed while its TTL ran out");
    }
    DeleteRequest req = DeleteRequest.newBuilder().setPath(path).setRecursive(true).build();
    ApplyResult r = run(DeleteThroughUfs.prepare(req, Caller.SYSTEM, ctx, mounts));
    if (r.getRemovedBlockIdsCount() > 0) {
      registry.removeBlocks(r.getRemovedBlockIdsList());
    }
    deletes.increment();
  }

  private void free(String path) throws RpcException {
    FreeOp.Plan plan;
    try (StoreSnapshot snap = ctx.store().snapshot()) {
      plan = FreeOp.plan(snap, path, Caller.SYSTEM, true); // a TTL is an explicit free: pins yield, as Alluxio's
    }
    // As the FREE RPC: workers drop them with their next heartbeat; reads go to the UFS from now on.
    registry.removeBlocks(plan.blockIds());
    frees.increment();
  }

  /** Proposes the clearing of {@code ids} and empties the list; on failure the next pass clears them. */
  private void clear(List<Long> ids) throws InterruptedException {
    if (ids.isEmpty()) {
      return;
    }
    try {
      run(SetTtlOp.prepareClear(ids, ctx));
    } catch (RpcException e) {
      LOG.warn("clearing {} TTLs failed ({}); trying again next interval", ids.size(), e.getMessage());
    }
    ids.clear();
  }

  /** Proposes what {@code p} decided and waits for it to apply; an error status is thrown. */
  private ApplyResult run(Prepared p) throws RpcException, InterruptedException {
    ApplyResult r;
    if (p.answer() != null) {
      r = p.answer();
    } else {
      try {
        r = journal.propose(p.entry()).get();
      } catch (ExecutionException e) {
        Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null ? c.getCause()
            : e.getCause();
        throw cause instanceof RpcException re ? re
            : new RpcException(Status.INTERNAL, "proposing failed: " + cause, cause);
      }
    }
    RpcException error = ApplyResults.toException(r);
    if (error != null) {
      throw error;
    }
    return r;
  }

  /** The path of {@code inode}, from its ancestors' names; empty when one of them is gone. */
  static Optional<String> pathOf(NamespaceReader reader, InodeRecord inode) {
    Deque<String> names = new ArrayDeque<>();
    InodeRecord at = inode;
    while (at.getId() != NamespaceStore.ROOT_ID) {
      names.push(at.getName());
      Optional<InodeRecord> parent = reader.inode(at.getParentId());
      if (parent.isEmpty()) {
        return Optional.empty();
      }
      at = parent.get();
    }
    return Optional.of("/" + String.join("/", names));
  }

  /** Stops the checks; one in progress is interrupted. */
  @Override
  public void close() {
    timer.shutdownNow();
    try {
      if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("TTL check still running after 10 s; closing anyway");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
