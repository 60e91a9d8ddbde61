package io.sluice.master.decommission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.proto.BlockCopyTask;
import io.sluice.common.proto.BlockLoadFailure;
import io.sluice.common.proto.BlockLocation;
import io.sluice.common.proto.DecommissionState;
import io.sluice.common.proto.DecommissionWorkerRequest;
import io.sluice.common.proto.DecommissionWorkerResponse;
import io.sluice.common.proto.RegisterWorkerRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.UfsBlockSource;
import io.sluice.common.proto.WorkerAddress;
import io.sluice.common.proto.WorkerCommand;
import io.sluice.common.proto.WorkerHeartbeatRequest;
import io.sluice.common.proto.WorkerHeartbeatResponse;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.decommission.BlockSources.BlockSource;
import io.sluice.master.testing.FakeClock;
import io.sluice.master.worker.BlockPlacement;
import io.sluice.master.worker.PlacementCandidate;
import io.sluice.master.worker.WorkerRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The drain planner on a real registry and placement, workers played by hand through registrations and heartbeats:
 * copies go to in-service workers with room, a copy reported makes the block drained, failures and timeouts move a
 * block to another target, no room keeps the worker decommissioning with a reason, cancel returns it to service.
 */
class DecommissionerTest {
  static final long BLOCK = 100;
  static final Duration COPY_TIMEOUT = Duration.ofSeconds(60);

  final FakeClock clock = new FakeClock(10_000);
  final WorkerRegistry registry = new WorkerRegistry(clock, Duration.ofMinutes(5), b -> true);
  /** The namespace as the planner sees it: block id to length and UFS source. */
  final Map<Long, BlockSource> namespace = new HashMap<>();
  final Decommissioner decommissioner = new Decommissioner(registry, new BlockPlacement(new SplittableRandom(7)),
      b -> Optional.ofNullable(namespace.get(b)), clock, 2, COPY_TIMEOUT);

  long register(String host, long capacity, long... blocks) {
    RegisterWorkerRequest.Builder r = RegisterWorkerRequest.newBuilder()
        .setAddress(WorkerAddress.newBuilder().setHost(host).setDataPort(7080)).setCapacityBytes(capacity);
    for (long b : blocks) {
      r.addBlockIds(b);
      namespace.putIfAbsent(b, new BlockSource(BLOCK, null));
    }
    return registry.register(r.build());
  }

  /** A heartbeat of {@code worker} reporting {@code added}; returns the copy tasks it is given. */
  List<BlockCopyTask> beat(long worker, List<Long> added, List<BlockLoadFailure> failedCopies) {
    WorkerHeartbeatResponse r = registry.heartbeat(WorkerHeartbeatRequest.newBuilder().setWorkerId(worker)
        .setCapacityBytes(10_000).addAllAddedBlocks(added).addAllFailedCopies(failedCopies).build());
    List<BlockCopyTask> tasks = new ArrayList<>();
    for (WorkerCommand c : r.getCommandsList()) {
      if (c.getType() == WorkerCommand.Type.COPY_BLOCKS) {
        tasks.addAll(c.getCopiesList());
      }
    }
    return tasks;
  }

  DecommissionWorkerResponse decommission(long worker) throws RpcException {
    return decommissioner.request(DecommissionWorkerRequest.newBuilder().setWorkerId(worker).build());
  }

  DecommissionWorkerResponse status(long worker) throws RpcException {
    return decommissioner.request(DecommissionWorkerRequest.newBuilder().setWorkerId(worker).setStatusOnly(true)
        .build());
  }

  static List<Long> ids(List<BlockCopyTask> tasks) {
    return tasks.stream().map(BlockCopyTask::getBlockId).sorted().toList();
  }

  @Test
  void blocksOnlyOnTheWorkerAreCopiedAndItEndsDecommissioned() throws Exception {
    long a = register("a", 10_000, 1, 2, 3);
    long b = register("b", 10_000, 3);
    DecommissionWorkerResponse r = decommission(a);
    assertEquals(DecommissionState.DECOMMISSIONING, r.getState());
    assertEquals(2, r.getRemainingBlocks(), "block 3 is already on b");
    assertFalse(registry.candidates().stream().anyMatch(c -> c.workerId() == a), "no new blocks on a");

    List<BlockCopyTask> tasks = beat(b, List.of(), List.of());
    assertEquals(List.of(1L, 2L), ids(tasks));
    for (BlockCopyTask t : tasks) {
      assertEquals("a", t.getSource().getHost());
      assertEquals(BLOCK, t.getLength());
      assertFalse(t.hasUfs());
    }
    decommissioner.runQuietly();
    assertEquals(List.of(), beat(b, List.of(), List.of()), "copies in flight are not handed out twice");

    beat(b, List.of(1L), List.of());
    decommissioner.runQuietly();
    assertEquals(1, status(a).getRemainingBlocks());
    beat(b, List.of(2L), List.of());
    decommissioner.runQuietly();
    r = status(a);
    assertEquals(DecommissionState.DECOMMISSIONED, r.getState());
    assertEquals(0, r.getRemainingBlocks());
    assertEquals(DecommissionState.DECOMMISSIONED, r.getWorker().getDecommission());
  }

  @Test
  void aDecommissionedWorkerIsListedOnlyWhenNoOtherHoldsTheBlock() throws Exception {
    long a = register("a", 10_000, 1);
    long b = register("b", 10_000);
    decommission(a);
    assertEquals(List.of(a), registry.locations(1).stream().map(BlockLocation::getWorkerId).toList(),
        "while draining, reads still find the only copy");
    beat(b, List.of(), List.of());
    beat(b, List.of(1L), List.of());
    decommissioner.runQuietly();
    assertEquals(DecommissionState.DECOMMISSIONED, status(a).getState());
    assertEquals(List.of(b), registry.locations(1).stream().map(BlockLocation::getWorkerId).toList());
  }

  @Test
  void copiesPerWorkerAreBoundedAndHandedOutAsOthersLand() throws Exception {
    long a = register("a", 10_000, 1, 2, 3, 4, 5);
    long b = register("b", 10_000);
    decommission(a);
    List<BlockCopyTask> first = beat(b, List.of(), List.of());
    assertEquals(2, first.size(), "at most 2 copies in flight from one worker");
    beat(b, ids(first), List.of());
    decommissioner.runQuietly();
    List<BlockCopyTask> second = beat(b, List.of(), List.of());
    assertEquals(2, second.size());
    assertTrue(second.stream().noneMatch(first::contains));
    assertEquals(3, status(a).getRemainingBlocks());
  }

  @Test
  void aFailedOrTimedOutCopyGoesToAnotherWorker() throws Exception {
    long a = register("a", 10_000, 1);
    long b = register("b", 10_000);
    long c = register("c", 10_000);
    decommission(a);
    long first = beat(b, List.of(), List.of()).isEmpty() ? c : b;
    long other = first == b ? c : b;
    assertEquals(List.of(), beat(other, List.of(), List.of()));
    // The first target reports the copy failed: the next round gives it to the other one.
    beat(first, List.of(), List.of(BlockLoadFailure.newBuilder().setBlockId(1).setStatus(Status.IO_ERROR)
        .setMessage("disk full").build()));
    decommissioner.runQuietly();
    assertEquals(List.of(1L), ids(beat(other, List.of(), List.of())));
    // That one never answers: after the copy timeout the block is handed out again (both failed once now, so
    // either may get it), and the operator hears why the drain is slow.
    clock.advance(COPY_TIMEOUT.plusSeconds(1));
    decommissioner.runQuietly();
    List<BlockCopyTask> again = new ArrayList<>(beat(first, List.of(), List.of()));
    again.addAll(beat(other, List.of(), List.of()));
    assertEquals(List.of(1L), ids(again));
    assertTrue(status(a).getWorker().getDecommissionStuck().contains("failed on every worker"),
        status(a).getWorker().toString());
  }

  @Test
  void noRoomAnywhereKeepsTheWorkerDecommissioningAndSaysWhy() throws Exception {
    long a = register("a", 10_000, 1);
    register("b", 50); // too small for a 100-byte block
    DecommissionWorkerResponse r = decommission(a);
    assertEquals(DecommissionState.DECOMMISSIONING, r.getState());
    assertEquals(1, r.getRemainingBlocks());
    assertTrue(r.getWorker().getDecommissionStuck().contains("no other live in-service worker has room"),
        r.getWorker().getDecommissionStuck());
    // A worker with room joins: the drain goes on and the reason clears.
    long c = register("c", 10_000);
    decommissioner.runQuietly();
    assertEquals(List.of(1L), ids(beat(c, List.of(), List.of())));
    assertEquals("", status(a).getWorker().getDecommissionStuck());
  }

  @Test
  void aUfsBackedBlockCarriesItsUfsSource() throws Exception {
    UfsBlockSource ufs = UfsBlockSource.newBuilder().setMountId(9).setUfsPath("d/f").setLength(BLOCK).build();
    namespace.put(1L, new BlockSource(BLOCK, ufs));
    long a = register("a", 10_000, 1);
    long b = register("b", 10_000);
    decommission(a);
    List<BlockCopyTask> tasks = beat(b, List.of(), List.of());
    assertEquals(ufs, tasks.get(0).getUfs());
  }

  @Test
  void cancelReturnsTheWorkerToPlacement() throws Exception {
    long a = register("a", 10_000, 1);
    register("b", 10_000);
    decommission(a);
    DecommissionWorkerResponse r = decommissioner.request(DecommissionWorkerRequest.newBuilder().setWorkerId(a)
        .setCancel(true).build());
    assertEquals(DecommissionState.IN_SERVICE, r.getState());
    assertTrue(registry.candidates().stream().map(PlacementCandidate::workerId).anyMatch(id -> id == a));
    assertEquals(0, r.getRemainingBlocks());
  }

  @Test
  void theStateOutlivesTheWorkersReRegistration() throws Exception {
    long a = register("a", 10_000, 1);
    decommission(a);
    assertEquals(a, register("a", 10_000, 1));
    assertEquals(DecommissionState.DECOMMISSIONING, status(a).getState());
  }

  @Test
  void workersAreNamedByIdOrAddress() throws Exception {
    long a = register("a", 10_000);
    assertEquals(a, decommissioner.request(DecommissionWorkerRequest.newBuilder().setAddress("a:7080")
        .setStatusOnly(true).build()).getWorker().getWorkerId());
    assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class, () -> decommissioner.request(
        DecommissionWorkerRequest.newBuilder().setAddress("nope:1").build())).status());
    assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class, () -> decommission(99)).status());
    assertEquals(Status.INVALID_ARGUMENT, assertThrows(RpcException.class, () -> decommissioner.request(
        DecommissionWorkerRequest.getDefaultInstance())).status());
  }
}
