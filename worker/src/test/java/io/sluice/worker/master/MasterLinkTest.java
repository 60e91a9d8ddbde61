package io.sluice.worker.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.sluice.common.proto.MasterMethod;
import io.sluice.common.proto.RegisterWorkerRequest;
import io.sluice.common.proto.RegisterWorkerResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerAddress;
import io.sluice.common.proto.WorkerCommand;
import io.sluice.common.proto.WorkerHeartbeatRequest;
import io.sluice.common.proto.WorkerHeartbeatResponse;
import io.sluice.common.rpc.FailoverRpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.rpc.RpcServer;
import io.sluice.common.rpc.ServerCall;
import io.sluice.worker.block.BlockStore;
import io.sluice.worker.block.LruPolicy;
import io.sluice.worker.block.TierSpec;
import io.sluice.worker.block.Watermarks;
import io.sluice.worker.block.TempBlock;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registration, heartbeats and master commands, against a scripted master over real RPC. */
class MasterLinkTest {
  @TempDir
  Path dir;

  private final Queue<RegisterWorkerRequest> registrations = new ConcurrentLinkedQueue<>();
  private final Set<Long> reportedAdded = ConcurrentHashMap.newKeySet();
  private final Set<Long> reportedRemoved = ConcurrentHashMap.newKeySet();
  private final Queue<WorkerCommand> commands = new ConcurrentLinkedQueue<>();
  private volatile boolean down;
  private final java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
  private RpcServer master;
  private MasterLink link;
  /** What the fake master pins in its answer to a registration. */
  private volatile List<Long> registrationPins = List.of();
  /** Runs while a registration is answered: after the worker took its report, before it hears the pins. */
  private volatile Runnable duringRegistration = () -> { };
  /** While set, heartbeats are not answered but parked in {@link #heldBeats}. */
  private volatile boolean holdBeats;
  private final BlockingQueue<ServerCall> heldBeats = new LinkedBlockingQueue<>();

  private void startMaster() throws Exception {
    master = new RpcServer("fake-master", new InetSocketAddress("127.0.0.1", 0), call -> {
      try {
        if (down) {
          refused.incrementAndGet();
          call.fail(new RpcException(Status.NOT_LEADER, "down"));
        } else if (call.method() == MasterMethod.REGISTER_WORKER_VALUE) {
          registrations.add(call.parse(RegisterWorkerRequest.parser()));
          duringRegistration.run();
          call.respond(RegisterWorkerResponse.newBuilder().setWorkerId(registrations.size())
              .addAllPinnedBlockIds(registrationPins).build());
        } else if (holdBeats) {
          heldBeats.add(call);
        } else {
          WorkerHeartbeatRequest hb = call.parse(WorkerHeartbeatRequest.parser());
          reportedAdded.addAll(hb.getAddedBlocksList());
          reportedRemoved.addAll(hb.getRemovedBlocksList());
          WorkerHeartbeatResponse.Builder r = WorkerHeartbeatResponse.newBuilder();
          WorkerCommand c = commands.poll();
          if (c != null) {
            r.addCommands(c);
          }
          call.respond(r.build());
        }
      } catch (RpcException e) {
        call.fail(e);
      }
    }, RpcOptions.defaults()).start();
  }

  private BlockStore startLink() throws Exception {
    return startLink(new BlockStore(dir, 1 << 20, false));
  }

  private BlockStore startLink(BlockStore store) throws Exception {
    store.open();
    FailoverRpcClient client = new FailoverRpcClient(List.of(InetSocketAddress.createUnresolved("127.0.0.1",
        master.address().getPort())), RpcOptions.defaults(), Duration.ofMillis(50));
    link = new MasterLink(client, WorkerAddress.newBuilder().setHost("127.0.0.1").setDataPort(1).build(), store,
        Duration.ofMillis(20));
    link.start();
    return store;
  }

  @AfterEach
  void stop() {
    if (link != null) {
      link.close();
    }
    if (master != null) {
      master.close();
    }
  }

  private static void commit(BlockStore store, long id) throws Exception {
    TempBlock b = store.create(id, 10);
    var buf = Unpooled.wrappedBuffer(new byte[3]);
    b.append(buf);
    buf.release();
    b.commit();
  }

  private static void await(BooleanSupplier c, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  @Test
  void registersWithAFullReportThenReportsNewBlocks() throws Exception {
    startMaster();
    BlockStore pre = new BlockStore(dir, 1 << 20, false);
    pre.open();
    commit(pre, 11);
    BlockStore store = startLink();
    await(() -> !registrations.isEmpty(), "registration");
    assertEquals(List.of(11L), registrations.peek().getBlockIdsList());
    assertEquals(1 << 20, registrations.peek().getCapacityBytes());
    commit(store, 12);
    await(() -> reportedAdded.contains(12L), "block 12 in a heartbeat");
  }

  @Test
  void removeBlocksCommandDeletesThem() throws Exception {
    startMaster();
    BlockStore store = startLink();
    await(() -> link.workerId() > 0, "registration");
    commit(store, 21);
    Path file = store.path(21);
    assertTrue(Files.exists(file));
    commands.add(WorkerCommand.newBuilder().setType(WorkerCommand.Type.REMOVE_BLOCKS).addBlockIds(21).build());
    await(() -> !Files.exists(file), "block 21 removed");
    assertEquals(0, store.used());
  }

  @Test
  void registerCommandTriggersAFreshFullReport() throws Exception {
    startMaster();
    BlockStore store = startLink();
    await(() -> registrations.size() == 1, "first registration");
    commit(store, 31);
    commands.add(WorkerCommand.newBuilder().setType(WorkerCommand.Type.REGISTER).build());
    await(() -> registrations.size() == 2, "second registration");
    RegisterWorkerRequest[] all = registrations.toArray(RegisterWorkerRequest[]::new);
    assertTrue(all[1].getBlockIdsList().contains(31L));
  }

  /**
   * A registration's answer sets the pins of every block it reported: after a master failover the new leader has each
   * worker register, and a pin the old leader never took back (its UNPIN lost) ends. A block committed pinned after
   * the report keeps its pin.
   */
  @Test
  void aRegistrationAnswerSetsThePinsOfTheReportedBlocks() throws Exception {
    startMaster();
    BlockStore pre = new BlockStore(dir, 1 << 20, false);
    pre.open();
    commit(pre, 41);
    commit(pre, 42);
    commit(pre, 43);
    registrationPins = List.of(41L, 42L);
    BlockStore store = startLink();
    await(() -> link.workerId() == 1, "first registration");
    assertTrue(store.pinned(41) && store.pinned(42));
    assertFalse(store.pinned(43));

    registrationPins = List.of(42L); // 41 was unpinned, and the unpin never reached this worker
    duringRegistration = () -> {
      try {
        TempBlock b = store.create(44, 10);
        b.commitPinned(); // a native block's writer pins it at commit, after the worker took its report
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    };
    commands.add(WorkerCommand.newBuilder().setType(WorkerCommand.Type.REGISTER).build());
    await(() -> link.workerId() == 2, "second registration");
    assertFalse(store.pinned(41), "the lost unpin is taken back");
    assertTrue(store.pinned(42));
    assertFalse(store.pinned(43));
    assertTrue(store.pinned(44), "a block committed after the report keeps its pin");
  }

  @Test
  void changesMadeWhileTheMasterIsDownAreReportedLater() throws Exception {
    startMaster();
    BlockStore store = startLink();
    await(() -> link.workerId() > 0, "registration");
    down = true;
    commit(store, 41);
    int before = refused.get();
    await(() -> refused.get() >= before + 3, "several refused heartbeats");
    assertFalse(reportedAdded.contains(41L));
    down = false;
    await(() -> reportedAdded.contains(41L), "block 41 reported after the outage");
  }

  /**
   * A beat holds the link for its whole RPC; a commit (on a worker event loop, for a write) queues its report without
   * waiting for it, else a slow or silent master would stall the worker's data connections.
   */
  @Test
  void aCommitIsQueuedWhileABeatWaitsForTheMaster() throws Exception {
    startMaster();
    BlockStore store = startLink();
    await(() -> link.workerId() > 0, "registration");
    holdBeats = true;
    ServerCall beat = heldBeats.poll(20, TimeUnit.SECONDS);
    assertTrue(beat != null, "a beat in flight");
    commit(store, 70);
    CompletableFuture<Void> report = CompletableFuture.supplyAsync(() -> link.reportCommitted(70))
        .get(10, TimeUnit.SECONDS);
    assertFalse(report.isDone(), "completed only by a beat that carries it");
    holdBeats = false;
    beat.fail(new RpcException(Status.UNAVAILABLE, "let go"));
    report.get(20, TimeUnit.SECONDS);
    assertTrue(reportedAdded.contains(70L), "reported by a later beat");
  }

  @Test
  void aReportedCommitHasReachedTheMasterWhenItCompletes() throws Exception {
    startMaster();
    BlockStore store = startLink();
    await(() -> link.workerId() > 0, "registration");
    for (long id = 50; id < 60; id++) {
      commit(store, id);
      link.reportCommitted(id).get(20, TimeUnit.SECONDS);
      assertTrue(reportedAdded.contains(id), "block " + id + " reported before the writer is answered");
    }
  }

  @Test
  void evictedBlocksAreReportedRemovedInTheNextHeartbeat() throws Exception {
    startMaster();
    BlockStore store = startLink(new BlockStore(TierSpec.parse("HDD:" + dir + ":15"), false, new Watermarks(1, 1),
        new LruPolicy(Clock.systemUTC())));
    await(() -> link.workerId() > 0, "registration");
    commit(store, 61); // 3 bytes, 10 reserved while writing
    commit(store, 62);
    commit(store, 63); // 6 used + 10 to reserve > 15: 61, the least recently used, is evicted
    await(() -> reportedRemoved.contains(61L), "evicted block 61 reported removed");
    assertFalse(reportedRemoved.contains(62L));
  }

  @Test
  void blocksOfAVanishedDirectoryAreReportedRemoved() throws Exception {
    startMaster();
    Path b = dir.resolve("b");
    BlockStore store = startLink(new BlockStore(TierSpec.parse("HDD:" + dir.resolve("a") + ":1m;" + b + ":2m"),
        false, Watermarks.DEFAULT, new LruPolicy(Clock.systemUTC())));
    await(() -> link.workerId() > 0, "registration");
    commit(store, 71); // b, the roomier
    commit(store, 72); // b again
    await(() -> reportedAdded.contains(72L), "blocks reported");
    Files.delete(store.path(71));
    Files.delete(store.path(72));
    Files.delete(b.resolve("blocks")); // as if b's disk went away
    await(() -> reportedRemoved.containsAll(List.of(71L, 72L)), "b's blocks reported removed");
    assertEquals(1, store.tierStats().get(0).failedDirs());
  }
}
