package io.sluice.master.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.proto.BlockLoadTask;
import io.sluice.common.proto.JobStatus;
import io.sluice.common.proto.MountRequest;
import io.sluice.common.proto.RegisterWorkerRequest;
import io.sluice.common.proto.SetAttributesRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerAddress;
import io.sluice.common.proto.WorkerCommand;
import io.sluice.common.proto.WorkerHeartbeatRequest;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.mount.MountService;
import io.sluice.master.namespace.AllocatedBlocks;
import io.sluice.master.namespace.ApplyResults;
import io.sluice.master.namespace.Caller;
import io.sluice.master.namespace.InodeIdAllocator;
import io.sluice.master.namespace.LeaderContext;
import io.sluice.master.namespace.Prepared;
import io.sluice.master.namespace.SetAttributesOp;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.JobRecord;
import io.sluice.master.store.NamespaceStore;
import io.sluice.master.testing.DirectJournal;
import io.sluice.master.testing.FakeClock;
import io.sluice.master.worker.BlockPlacement;
import io.sluice.master.worker.WorkerRegistry;
import io.sluice.ufs.UfsRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load jobs on a real store and a real local UFS directory, the journal applied directly and the worker played by
 * the test through the registry's heartbeats (it "loads" a block by reporting it held). Leadership is taken away
 * and handed back through the journal's term, as a failover does.
 */
class LoadJobsTest {
  static final long BLOCK_SIZE = 1000;
  static final Caller ADMIN = new Caller("admin", Set.of(), true);
  static final Caller BOB = new Caller("bob", Set.of(), false);

  @TempDir
  Path tmp;
  NamespaceStore store;
  DirectJournal journal;
  FakeClock clock = new FakeClock(1_000_000);
  MountService mounts;
  WorkerRegistry registry;
  LoadJobs loads;
  long worker;

  @BeforeEach
  void open() throws Exception {
    Path ufs = Files.createDirectories(tmp.resolve("ufs"));
    for (int i = 0; i < 3; i++) {
      Files.write(ufs.resolve("f" + i), new byte[2500]);  // 3 blocks each
    }
    store = NamespaceStore.open(tmp.resolve("store"), "admin");
    journal = new DirectJournal(store);
    LeaderContext ctx = new LeaderContext(store, new InodeIdAllocator(store::nextInodeId), clock, BLOCK_SIZE);
    mounts = new MountService(ctx, journal, UfsRegistry.load(), Duration.ofSeconds(30), b -> { });
    run(mounts.prepareMount(MountRequest.newBuilder().setPath("/m").setUfsUri(ufs.toUri().toString()).build(),
        ADMIN));
    registry = new WorkerRegistry(clock, Duration.ofMinutes(10), b -> AllocatedBlocks.isAllocated(store.reader(), b));
    worker = registry.register(RegisterWorkerRequest.newBuilder()
        .setAddress(WorkerAddress.newBuilder().setHost("h1").setDataPort(7080)).setCapacityBytes(1 << 30).build());
    // The test advances the jobs itself (tick()), so their own schedule never runs.
    loads = new LoadJobs(store, journal, mounts, registry, new BlockPlacement(new SplittableRandom(1)), clock,
        Duration.ofDays(1));
  }

  @AfterEach
  void close() {
    loads.close();
    mounts.close();
    store.close();
  }

  ApplyResult run(Prepared p) throws RpcException {
    ApplyResult r = p.answer() != null ? p.answer() : journal.propose(p.entry()).join();
    RpcException e = ApplyResults.toException(r);
    if (e != null) {
      throw e;
    }
    return r;
  }

  /** One heartbeat of the worker: reports {@code held} as cached and returns the blocks it is told to load. */
  List<Long> heartbeat(List<Long> held) {
    List<Long> told = new ArrayList<>();
    for (WorkerCommand c : registry.heartbeat(WorkerHeartbeatRequest.newBuilder().setWorkerId(worker)
        .setCapacityBytes(1 << 30).addAllAddedBlocks(held).build()).getCommandsList()) {
      if (c.getType() == WorkerCommand.Type.LOAD_BLOCKS) {
        c.getLoadsList().stream().map(BlockLoadTask::getBlockId).forEach(told::add);
      }
    }
    return told;
  }

  /**
   * Advances the jobs and plays the worker, loading whatever it is told, until {@code done} holds. Only listing runs
   * on its own thread, hence the deadline.
   */
  void serveLoadsUntil(BooleanSupplier done) throws InterruptedException {
    List<Long> loaded = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "the job did not end");
      loads.tick();
      loaded = heartbeat(loaded);
      Thread.onSpinWait();
    }
  }

  /** Ticks until {@code condition} holds (listing runs on its own thread). */
  void tickUntil(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      loads.tick();
      Thread.onSpinWait();
    }
  }

  JobStatus status(long id) {
    try {
      return loads.status(id);
    } catch (RpcException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aJobIsRecordedWhenItStartsAndItsOutcomeWhenItEnds() throws Exception {
    long id = run(loads.prepare("/m", ADMIN)).getJobId();
    JobRecord started = store.reader().job(id).orElseThrow();
    assertEquals("/m", started.getPath());
    assertFalse(started.hasFinalStatus());
    assertEquals("admin", started.getCaller().getUser(), "the job runs with its starter's permissions");

    serveLoadsUntil(() -> status(id).getEndMs() != 0);
    JobStatus end = status(id);
    assertEquals(JobStatus.State.SUCCEEDED, end.getState(), end.toString());
    assertEquals(3, end.getFilesDone());
    assertEquals(7500, end.getBytesDone());
    assertTrue(store.reader().job(id).orElseThrow().hasFinalStatus(), "the outcome journaled");
    assertEquals(end, store.reader().job(id).orElseThrow().getFinalStatus());

    // Another leader (or this one in a new term) answers from the store.
    journal.term = 2;
    for (int tick = 0; tick < 5; tick++) {
      loads.tick();
      assertEquals(List.of(), heartbeat(List.of()), "an ended job is not run again");
    }
    assertEquals(end, status(id));
  }

  @Test
  void aJobCutOffByALeaderChangeRunsAgainInTheNextTerm() throws Exception {
    long id = run(loads.prepare("/m", ADMIN)).getJobId();
    List<Long> told = new ArrayList<>();
    tickUntil(() -> {
      told.addAll(heartbeat(List.of()));
      return told.size() == 9;
    }, "all nine blocks handed out");
    assertEquals(JobStatus.State.RUNNING, status(id).getState());

    journal.term = -1;  // leadership lost: the job is the next leader's
    loads.tick();
    assertEquals(JobStatus.State.LISTING, status(id).getState(), "the job dropped from memory");
    assertFalse(store.reader().job(id).orElseThrow().hasFinalStatus());

    journal.term = 2;  // leading again: the recorded job is taken up from the start
    serveLoadsUntil(() -> status(id).getEndMs() != 0);
    JobStatus end = status(id);
    assertEquals(JobStatus.State.SUCCEEDED, end.getState(), end.toString());
    assertEquals(3, end.getFilesTotal(), "each file counted once");
    assertEquals(id, end.getJobId());
  }

  @Test
  void aJobNeedsAPathTheCallerCanSeeAndUnknownJobsAreNotFound() throws Exception {
    assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class, () -> loads.prepare("/nope", ADMIN)).status());
    assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class, () -> loads.status(42)).status());
    long first = run(loads.prepare("/m", ADMIN)).getJobId();
    long second = run(loads.prepare("/m/f0", BOB)).getJobId();
    assertTrue(second > first, "ids only grow");
  }

  /** Loading needs search permission on every directory on the way, as any lookup: checked before a job starts. */
  @Test
  void aUserWhoCannotSearchTheWayCannotLoadBehindIt() throws Exception {
    run(SetAttributesOp.prepare(SetAttributesRequest.newBuilder().setPath("/m").setMode(0700).build(), ADMIN,
        new LeaderContext(store, new InodeIdAllocator(store::nextInodeId), clock, BLOCK_SIZE)));
    RpcException denied = assertThrows(RpcException.class, () -> loads.prepare("/m/f0", BOB));
    assertEquals(Status.PERMISSION_DENIED, denied.status(), denied.getMessage());
    assertTrue(store.reader().jobs().isEmpty(), "no job was recorded");
    run(loads.prepare("/m/f0", ADMIN));
    assertEquals(1, store.reader().jobs().size());
  }

  @Test
  void aNewLeaderWaitsForWorkersToReRegisterInsteadOfFailingTheJob() throws Exception {
    clock.advance(Duration.ofMinutes(11));  // past the worker timeout: the only worker is lost
    registry.expireLost();
    assertTrue(registry.candidates().isEmpty());
    journal.leadership = Duration.ZERO;  // just took over: the workers have not re-registered yet
    long id = run(loads.prepare("/m", ADMIN)).getJobId();
    tickUntil(() -> status(id).getState() == JobStatus.State.RUNNING, "the listing");
    for (int tick = 0; tick < 5; tick++) {
      loads.tick();
    }
    assertEquals(0, status(id).getFilesFailed(), "no block failed for want of a worker while settling");

    worker = registry.register(RegisterWorkerRequest.newBuilder()
        .setAddress(WorkerAddress.newBuilder().setHost("h1").setDataPort(7080)).setCapacityBytes(1 << 30).build());
    serveLoadsUntil(() -> status(id).getEndMs() != 0);
    assertEquals(JobStatus.State.SUCCEEDED, status(id).getState(), status(id).toString());
  }
}
