package io.sluice.master.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.proto.BlockLocation;
import io.sluice.common.proto.RegisterWorkerRequest;
import io.sluice.common.proto.WorkerAddress;
import io.sluice.common.proto.WorkerCommand;
import io.sluice.common.proto.WorkerHeartbeatRequest;
import io.sluice.common.proto.WorkerHeartbeatResponse;
import io.sluice.master.testing.FakeClock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkerRegistryTest {
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  final FakeClock clock = new FakeClock(5_000);
  /** Blocks the namespace knows; anything else a worker reports is an orphan. */
  final Set<Long> allocated = new HashSet<>(Set.of(1L, 2L, 3L));
  final WorkerRegistry registry = new WorkerRegistry(clock, TIMEOUT, allocated::contains);

  static WorkerAddress addr(String host, int port) {
    return WorkerAddress.newBuilder().setHost(host).setDataPort(port).build();
  }

  long register(String host, int port, Long... blocks) {
    return registry.register(RegisterWorkerRequest.newBuilder().setAddress(addr(host, port))
        .setCapacityBytes(1000).setUsedBytes(100).addAllBlockIds(List.of(blocks)).build());
  }

  WorkerHeartbeatResponse heartbeat(long id, List<Long> added, List<Long> removed) {
    return registry.heartbeat(WorkerHeartbeatRequest.newBuilder().setWorkerId(id).setCapacityBytes(1000)
        .setUsedBytes(200).addAllAddedBlocks(added).addAllRemovedBlocks(removed).build());
  }

  static List<Long> workerIds(List<BlockLocation> locations) {
    return locations.stream().map(BlockLocation::getWorkerId).sorted().toList();
  }

  @Test
  void sameAddressKeepsItsId() {
    long a = register("h1", 7080);
    long b = register("h2", 7080);
    long c = register("h1", 7081);
    assertNotEquals(a, b);
    assertNotEquals(a, c);
    assertEquals(a, register("h1", 7080));
    assertEquals(3, registry.summaries().size());
  }

  @Test
  void unknownWorkerIsToldToRegister() {
    WorkerHeartbeatResponse r = heartbeat(99, List.of(), List.of());
    assertEquals(WorkerCommand.Type.REGISTER, r.getCommands(0).getType());
  }

  @Test
  void reportsBecomeLocationsAndOrphansAreRemoved() {
    long a = register("h1", 7080, 1L, 2L, 77L);
    long b = register("h2", 7080, 2L);
    assertEquals(List.of(a), workerIds(registry.locations(1)));
    assertEquals(List.of(a, b), workerIds(registry.locations(2)));
    assertEquals(List.of(), registry.locations(77));
    WorkerHeartbeatResponse r = heartbeat(a, List.of(3L, 88L), List.of(1L));
    assertEquals(1, r.getCommandsCount());
    assertEquals(WorkerCommand.Type.REMOVE_BLOCKS, r.getCommands(0).getType());
    assertEquals(Set.of(77L, 88L), new HashSet<>(r.getCommands(0).getBlockIdsList()));
    assertEquals(List.of(), registry.locations(1));
    assertEquals(List.of(a), workerIds(registry.locations(3)));
    assertEquals(0, heartbeat(a, List.of(), List.of()).getCommandsCount(), "a command is sent once");
    assertEquals(200, registry.summaries().get(0).getUsedBytes());
  }

  @Test
  void removedBlocksAreSentToTheirHolders() {
    long a = register("h1", 7080, 1L, 2L);
    long b = register("h2", 7080, 2L);
    registry.removeBlocks(List.of(2L, 3L));
    assertEquals(List.of(), registry.locations(2));
    assertEquals(List.of(2L), heartbeat(a, List.of(), List.of()).getCommands(0).getBlockIdsList());
    assertEquals(List.of(2L), heartbeat(b, List.of(), List.of()).getCommands(0).getBlockIdsList());
    assertEquals(List.of(a), workerIds(registry.locations(1)));
  }

  @Test
  void silentWorkerIsLostAndMustRegisterAgain() {
    long a = register("h1", 7080, 1L);
    long b = register("h2", 7080, 1L);
    clock.advance(TIMEOUT.dividedBy(2));
    heartbeat(b, List.of(), List.of());
    clock.advance(TIMEOUT.dividedBy(2));
    heartbeat(b, List.of(), List.of());
    assertEquals(List.of(a, b), workerIds(registry.locations(1)), "exactly at the timeout a worker is live");
    clock.advance(Duration.ofMillis(1));
    assertEquals(List.of(b), workerIds(registry.locations(1)));
    assertEquals(List.of(b), registry.candidates().stream().map(PlacementCandidate::workerId).toList());
    assertFalse(registry.summaries().get(0).getLive());
    assertTrue(registry.summaries().get(1).getLive());
    assertEquals(1, registry.expireLost());
    assertEquals(0, registry.expireLost());
    assertEquals(0, registry.summaries().get(0).getBlockCount());
    assertEquals(WorkerCommand.Type.REGISTER, heartbeat(a, List.of(), List.of()).getCommands(0).getType());
    assertEquals(a, register("h1", 7080, 1L));
    assertTrue(registry.summaries().get(0).getLive());
    assertEquals(List.of(a, b), workerIds(registry.locations(1)));
  }

  @Test
  void lateHeartbeatWithoutSweepIsAnsweredRegister() {
    long a = register("h1", 7080, 1L);
    clock.advance(TIMEOUT.plusSeconds(1));
    assertEquals(WorkerCommand.Type.REGISTER, heartbeat(a, List.of(2L), List.of()).getCommands(0).getType());
    assertEquals(List.of(), registry.locations(2));
  }

  @Test
  void reRegistrationReplacesTheBlockReport() {
    long a = register("h1", 7080, 1L, 2L);
    register("h1", 7080, 3L);
    assertEquals(List.of(), registry.locations(1));
    assertEquals(List.of(a), workerIds(registry.locations(3)));
  }
}
