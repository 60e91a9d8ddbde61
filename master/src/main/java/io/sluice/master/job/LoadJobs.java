package io.sluice.master.job;

import io.sluice.common.proto.BlockInfo;
import io.sluice.common.proto.BlockLoadFailure;
import io.sluice.common.proto.BlockLoadTask;
import io.sluice.common.proto.BlockLocation;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.GetBlockLocationsResponse;
import io.sluice.common.proto.JobStatus;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.journal.Journal;
import io.sluice.master.mount.MountService;
import io.sluice.master.namespace.Caller;
import io.sluice.master.namespace.GetBlockLocationsOp;
import io.sluice.master.namespace.GetStatusOp;
import io.sluice.master.namespace.JobTableOp;
import io.sluice.master.namespace.NamespacePath;
import io.sluice.master.namespace.Prepared;
import io.sluice.master.proto.EndJobEntry;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.proto.JobRecord;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.store.NamespaceReader;
import io.sluice.master.store.NamespaceStore;
import io.sluice.master.worker.BlockPlacement;
import io.sluice.master.worker.PlacementCandidate;
import io.sluice.master.worker.WorkerRegistry;
import java.io.Closeable;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Load jobs on the leader (DESIGN §5): {@code sluice load PATH} lists the path (loading metadata from the UFS as it
 * goes), then hands every uncached block of the UFS-backed files found to a worker as a LOAD_BLOCKS task (the
 * read-through worker of the block, so tasks spread over the workers), at most {@value #IN_FLIGHT_PER_WORKER} at a
 * time per worker. A block is done when its worker reports it held; a failed or timed-out task is retried on
 * another worker up to {@value #MAX_ATTEMPTS} attempts in all (a file found changed in the UFS, STALE, is not
 * retried); a file fails when one of its blocks does, and the others go on.
 *
 * <p>A job is journaled when it starts (START_JOB) and when it ends (END_JOB, with its outcome); progress in between
 * is the leader's memory. A new leader runs every recorded job without an outcome again from the start: listing
 * again is cheap, and the blocks loaded before the failover count as done. Listing runs on its own thread, one job
 * after another; the tasks of running jobs advance on one scheduled tick.
 */
public final class LoadJobs implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(LoadJobs.class);
  static final int MAX_ATTEMPTS = 3;
  static final int IN_FLIGHT_PER_WORKER = 64;
  static final long TASK_TIMEOUT_MS = 120_000;
  private static final Duration TICK = Duration.ofMillis(100);
  private static final int PAGE = 1000;
  private static final int FINISHED_KEPT = 100;

  private final NamespaceStore store;
  private final MountService mounts;
  private final WorkerRegistry registry;
  private final BlockPlacement placement;
  private final Clock clock;
  private final Journal journal;
  private long lastId;
  /** The term whose jobs are in memory; -1 while this master does not lead. Written by the ticker thread only. */
  private volatile long term = -1;
  private final Map<Long, LoadJob> jobs = new ConcurrentHashMap<>();
  private final Map<Long, Run> running = new ConcurrentHashMap<>();
  /** Outstanding tasks by block id, to route a worker's failure report to its job. */
  private final Map<Long, Run> byBlock = new ConcurrentHashMap<>();
  private final ExecutorService listing;
  private final ScheduledExecutorService ticker;

  public LoadJobs(NamespaceStore store, Journal journal, MountService mounts, WorkerRegistry registry,
      BlockPlacement placement, Clock clock) {
    this(store, journal, mounts, registry, placement, clock, TICK);
  }

  /** @param tick how often running jobs advance; tests pass a day and call {@link #tick()} themselves */
  LoadJobs(NamespaceStore store, Journal journal, MountService mounts, WorkerRegistry registry,
      BlockPlacement placement, Clock clock, Duration tick) {
    this.store = store;
    this.journal = journal;
    this.mounts = mounts;
    this.registry = registry;
    this.placement = placement;
    this.clock = clock;
    this.listing = Executors.newSingleThreadExecutor(daemon("master-load-listing"));
    this.ticker = Executors.newSingleThreadScheduledExecutor(daemon("master-load-tasks"));
    ticker.scheduleWithFixedDelay(this::tick, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
    registry.onLoadFailures(this::failed);
  }

  /**
   * Decides a new job loading {@code path} for {@code caller}: NOT_FOUND or PERMISSION_DENIED before anything starts.
   * The job runs once its START_JOB entry is applied (the next tick adopts it), on whichever master leads then.
   */
  public Prepared prepare(String path, Caller caller) throws RpcException {
    mounts.sync(path, false);
    String normalized = NamespacePath.parse(path).toString();
    GetStatusOp.run(store.reader(), normalized, caller);
    return Prepared.propose(JobTableOp.start(nextId(), normalized, caller, clock.millis()));
  }

  /** Ids from the clock, above every recorded one: an id a client holds is not handed out again by a later leader. */
  private synchronized long nextId() {
    if (lastId == 0) {
      lastId = store.reader().jobs().stream().mapToLong(JobRecord::getJobId).max().orElse(0);
    }
    lastId = Math.max(lastId + 1, clock.millis());
    return lastId;
  }

  /**
   * The status of job {@code id}: live progress while this leader runs it, the recorded outcome once it ended (on
   * any leader), LISTING for a recorded job about to be taken up, NOT_FOUND for an unknown or long-forgotten one.
   */
  public JobStatus status(long id) throws RpcException {
    LoadJob job = jobs.get(id);
    if (job != null) {
      return job.status();
    }
    JobRecord r = store.reader().job(id).orElseThrow(() -> new RpcException(Status.NOT_FOUND, "no load job " + id
        + " (unknown, or one of the oldest finished jobs, which are forgotten)"));
    return recorded(r);
  }

  /** Every job recorded (the running ones and the last finished ones), by id, each as {@link #status} tells it. */
  public List<JobStatus> statuses() {
    List<JobStatus> out = new ArrayList<>();
    for (JobRecord r : store.reader().jobs()) {
      LoadJob job = jobs.get(r.getJobId());
      out.add(job != null ? job.status() : recorded(r));
    }
    return out;
  }

  private static JobStatus recorded(JobRecord r) {
    return r.hasFinalStatus() ? r.getFinalStatus() : JobStatus.newBuilder().setJobId(r.getJobId())
        .setPath(r.getPath()).setState(JobStatus.State.LISTING).setStartMs(r.getStartMs()).build();
  }

  /** The tasks of a job being run: only the ticker thread touches them. */
  private static final class Run {
    final LoadJob job;
    final Deque<LoadJob.Task> waiting = new ArrayDeque<>();
    final Map<Long, LoadJob.Task> outstanding = new HashMap<>();
    final Queue<Failure> failures = new ConcurrentLinkedQueue<>();

    Run(LoadJob job) {
      this.job = job;
    }
  }

  private record Failure(long workerId, BlockLoadFailure failure) {}

  /** Called by the registry under its lock: hand off only. */
  private void failed(long workerId, BlockLoadFailure f) {
    Run run = byBlock.get(f.getBlockId());
    if (run != null) {
      run.failures.add(new Failure(workerId, f));
    }
  }

  private void list(LoadJob job, Caller caller) {
    if (job.term != term) {
      return;  // leadership changed before its turn: the next leader lists it
    }
    Run run = new Run(job);
    try {
      NamespaceReader reader = store.reader();
      Deque<String> dirs = new ArrayDeque<>();
      FileInfo top = GetStatusOp.run(reader, job.path, caller);
      if (top.getType() == FileType.DIRECTORY) {
        dirs.push(job.path);
      } else {
        addFile(run, job.path, caller);
      }
      while (!dirs.isEmpty() && job.term == term) {
        String dir = dirs.pop();
        mounts.sync(dir, true);
        long dirId = GetStatusOp.run(reader, dir, caller).getId();
        String after = "";
        List<NamespaceReader.Child> page;
        do {
          page = reader.children(dirId, after, PAGE);
          for (NamespaceReader.Child c : page) {
            after = c.name();
            String child = dir.equals("/") ? "/" + c.name() : dir + "/" + c.name();
            Optional<InodeRecord> inode = reader.inode(c.id());
            if (inode.isEmpty()) {
              continue;  // removed since listed
            }
            if (inode.get().getType() == FileType.DIRECTORY) {
              dirs.push(child);
            } else if (inode.get().getType() == FileType.FILE) {
              addFile(run, child, caller);
            }
          }
        } while (page.size() == PAGE);
      }
    } catch (RpcException | RuntimeException e) {
      LOG.warn("load job {} ({}): listing failed: {}", job.id, job.path, e.toString());
      job.fileUnloadable(job.path, "listing failed: " + e.getMessage());
    }
    job.running();
    running.put(job.id, run);
  }

  /** Queues the uncached blocks of one UFS-backed file; files only in Sluice are not the job's business. */
  private void addFile(Run run, String path, Caller caller) {
    GetBlockLocationsResponse r;
    try {
      mounts.sync(path, false);
      r = GetBlockLocationsOp.run(store.reader(), path, registry::locations, b -> Optional.empty(), caller);
    } catch (RpcException e) {
      run.job.fileUnloadable(path, e.status() + ": " + e.getMessage());
      return;
    }
    if (!r.getInfo().getComplete() || r.getBlocksList().stream().anyMatch(b -> !b.hasUfs())) {
      return;
    }
    List<BlockInfo> toLoad = new ArrayList<>();
    long cached = 0;
    for (BlockInfo b : r.getBlocksList()) {
      if (b.getCached()) {
        cached += b.getLength();
      } else {
        toLoad.add(b);
      }
    }
    LoadJob.FileProgress f = run.job.addFile(path, toLoad, r.getInfo().getLength(), cached);
    for (BlockInfo b : toLoad) {
      run.waiting.add(new LoadJob.Task(b, f));
    }
  }

  /** Advances every running job: failures and completions seen, timed-out tasks retried, new tasks sent. */
  void tick() {
    try {
      long now = clock.millis();
      long leading = journal.leaderTerm();
      if (leading != term) {
        takeOver(leading);
      }
      if (leading < 0) {
        return;
      }
      adoptRecorded();
      List<PlacementCandidate> live = registry.candidates();
      boolean settling = journal.leadership().compareTo(registry.settleTime()) < 0;
      Map<Long, Integer> inFlight = new HashMap<>();
      for (Run run : running.values()) {
        for (LoadJob.Task t : run.outstanding.values()) {
          inFlight.merge(t.workerId, 1, Integer::sum);
        }
      }
      for (Iterator<Run> it = running.values().iterator(); it.hasNext(); ) {
        Run run = it.next();
        if (run.job.term != term) {
          it.remove();  // listed for an earlier term
          continue;
        }
        advance(run, now, live, inFlight, settling);
        if (run.waiting.isEmpty() && run.outstanding.isEmpty()) {
          it.remove();
          run.job.finish(now);
          LOG.info("load job {} ({}) ended: {}", run.job.id, run.job.path, run.job.status().getState());
        }
      }
      for (LoadJob job : jobs.values()) {
        if (job.finished() && !job.endProposed) {
          recordEnd(job);
        }
      }
    } catch (RuntimeException e) {
      LOG.error("load jobs: tick failed", e);  // the next tick tries again
    }
  }

  /**
   * Leadership changed: what this master ran belongs to the old term (a new leader may have run or ended it since),
   * so it is dropped; as leader again, {@link #adoptRecorded} runs the unfinished jobs from the store.
   */
  private void takeOver(long newTerm) {
    if (!jobs.isEmpty()) {
      LOG.info("load jobs: leadership changed (term {} -> {}), {} job(s) left to the leader", term, newTerm,
          jobs.size());
    }
    term = newTerm;
    running.clear();
    byBlock.clear();
    jobs.clear();
    synchronized (this) {
      lastId = 0;
    }
  }

  /** Starts every recorded job without an outcome that this leader does not run yet (new, or from a failover). */
  private void adoptRecorded() {
    for (JobRecord r : store.reader().jobs()) {
      if (!r.hasFinalStatus() && !jobs.containsKey(r.getJobId())) {
        LoadJob job = new LoadJob(r.getJobId(), r.getPath(), r.getStartMs(), term);
        jobs.put(job.id, job);
        Caller caller = Caller.of(r.getCaller());
        listing.execute(() -> list(job, caller));
      }
    }
  }

  /**
   * Journals a finished job's outcome (and forgets the oldest finished jobs beyond {@value #FINISHED_KEPT}); once
   * applied the job leaves memory and its status is read from the store. A failed proposal is tried again next
   * tick, unless leadership went, in which case the next leader runs the job again (its blocks are cached by then).
   */
  private void recordEnd(LoadJob job) {
    job.endProposed = true;
    List<JobRecord> finished = store.reader().jobs().stream().filter(JobRecord::hasFinalStatus).toList();
    EndJobEntry.Builder end = EndJobEntry.newBuilder().setStatus(job.status());
    for (int i = 0; i < finished.size() - FINISHED_KEPT + 1; i++) {
      end.addForget(finished.get(i).getJobId());
    }
    journal.propose(JournalEntry.newBuilder().setEndJob(end).build()).whenComplete((r, error) -> {
      if (error == null && r.getStatus() == Status.OK) {
        jobs.remove(job.id, job);
      } else {
        LOG.warn("load job {}: cannot record its end yet: {}", job.id, error != null ? error.toString()
            : r.getMessage());
        job.endProposed = false;
      }
    });
  }

  /** @param settling this leader is too new to know every live worker (see WorkerRegistry#settleTime) */
  private void advance(Run run, long now, List<PlacementCandidate> live, Map<Long, Integer> inFlight,
      boolean settling) {
    for (Failure f; (f = run.failures.poll()) != null; ) {
      LoadJob.Task t = run.outstanding.get(f.failure().getBlockId());
      if (t != null && t.workerId == f.workerId()) {
        // A file changed in the UFS fails the same way on every worker: not retried.
        retryOrFail(run, t, f.failure().getStatus() + ": " + f.failure().getMessage(),
            f.failure().getStatus() != Status.STALE, inFlight);
      }
    }
    for (Iterator<LoadJob.Task> it = run.outstanding.values().iterator(); it.hasNext(); ) {
      LoadJob.Task t = it.next();
      if (!registry.locations(t.block.getBlockId()).isEmpty()) {
        it.remove();
        byBlock.remove(t.block.getBlockId(), run);
        inFlight.merge(t.workerId, -1, Integer::sum);
        run.job.blockLoaded(t);
      }
    }
    for (LoadJob.Task t : List.copyOf(run.outstanding.values())) {
      if (now - t.sentAtMs > TASK_TIMEOUT_MS) {
        retryOrFail(run, t, "timed out on worker " + t.workerId, true, inFlight);
      }
    }
    Map<Long, List<BlockLoadTask>> batches = new HashMap<>();
    for (Iterator<LoadJob.Task> it = run.waiting.iterator(); it.hasNext(); ) {
      LoadJob.Task t = it.next();
      List<PlacementCandidate> candidates = live.stream().filter(c -> !t.failedOn.contains(c.workerId())).toList();
      Optional<BlockLocation> pick = placement.readThrough(candidates, t.block.getBlockId(), "");
      if (pick.isEmpty()) {
        if (settling && t.failedOn.isEmpty()) {
          continue;  // just after a failover the workers have not re-registered yet: wait for them
        }
        it.remove();
        t.lastFailure = t.lastFailure.isEmpty() ? "no live worker to load it" : t.lastFailure;
        run.job.blockFailed(t);
        continue;
      }
      long worker = pick.get().getWorkerId();
      if (inFlight.getOrDefault(worker, 0) >= IN_FLIGHT_PER_WORKER) {
        continue;
      }
      it.remove();
      inFlight.merge(worker, 1, Integer::sum);
      t.workerId = worker;
      t.sentAtMs = now;
      run.outstanding.put(t.block.getBlockId(), t);
      byBlock.put(t.block.getBlockId(), run);
      batches.computeIfAbsent(worker, w -> new ArrayList<>()).add(BlockLoadTask.newBuilder()
          .setBlockId(t.block.getBlockId()).setSource(t.block.getUfs()).build());
    }
    // A worker lost since the candidates were read takes no tasks: they time out and go elsewhere.
    batches.forEach(registry::queueLoads);
  }

  private void retryOrFail(Run run, LoadJob.Task t, String why, boolean retryable, Map<Long, Integer> inFlight) {
    run.outstanding.remove(t.block.getBlockId());
    byBlock.remove(t.block.getBlockId(), run);
    inFlight.merge(t.workerId, -1, Integer::sum);
    t.failedOn.add(t.workerId);
    t.lastFailure = why;
    if (!retryable || t.failedOn.size() >= MAX_ATTEMPTS) {
      run.job.blockFailed(t);
    } else {
      run.waiting.add(t);
    }
  }

  @Override
  public void close() {
    listing.shutdownNow();
    ticker.shutdownNow();
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
