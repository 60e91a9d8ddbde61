package io.sluice.master.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.proto.BlockLocation;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerAddress;
import io.sluice.common.rpc.RpcException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BlockPlacementTest {
  final BlockPlacement placement = new BlockPlacement(new SplittableRandom(42));

  static PlacementCandidate worker(long id, String host, long free) {
    return new PlacementCandidate(id, WorkerAddress.newBuilder().setHost(host).setDataPort(7080).build(), free);
  }

  final List<PlacementCandidate> five = List.of(worker(1, "h1", 100), worker(2, "h2", 100), worker(3, "h3", 100),
      worker(4, "h4", 100), worker(5, "h5", 100));

  static List<Long> ids(List<BlockLocation> l) {
    return l.stream().map(BlockLocation::getWorkerId).toList();
  }

  @Test
  void localWorkerComesFirst() throws Exception {
    for (int i = 0; i < 50; i++) {
      List<BlockLocation> p = placement.place(five, 3, "h4", Set.of());
      assertEquals(4, p.get(0).getWorkerId());
      assertEquals(3, new HashSet<>(ids(p)).size());
    }
  }

  @Test
  void replicasAreDistinctAndCappedByLiveWorkers() throws Exception {
    for (int i = 0; i < 50; i++) {
      assertEquals(3, new HashSet<>(ids(placement.place(five, 3, "", Set.of()))).size());
    }
    assertEquals(Set.of(1L, 2L, 3L, 4L, 5L), new HashSet<>(ids(placement.place(five, 9, "", Set.of()))));
    assertEquals(1, placement.place(five, 0, "", Set.of()).size(), "at least one replica");
  }

  @Test
  void excludedWorkersAreNeverChosen() throws Exception {
    for (int i = 0; i < 50; i++) {
      List<Long> chosen = ids(placement.place(five, 2, "h1", Set.of(1L, 2L, 3L)));
      assertEquals(Set.of(4L, 5L), new HashSet<>(chosen));
    }
  }

  @Test
  void noLiveWorkerIsUnavailable() {
    RpcException e = assertThrows(RpcException.class, () -> placement.place(List.of(), 1, "", Set.of()));
    assertEquals(Status.UNAVAILABLE, e.status());
    e = assertThrows(RpcException.class, () -> placement.place(five.subList(0, 1), 1, "", Set.of(1L)));
    assertEquals(Status.UNAVAILABLE, e.status());
  }

  @Test
  void freeSpaceWeighsTheDraw() throws Exception {
    List<PlacementCandidate> two = List.of(worker(1, "h1", 0), worker(2, "h2", 1_000_000));
    int full = 0;
    for (int i = 0; i < 1000; i++) {
      if (placement.place(two, 1, "", Set.of()).get(0).getWorkerId() == 1) {
        full++;
      }
    }
    assertTrue(full < 5, "the full worker was chosen " + full + " times");
    // Full workers still take blocks when nothing else is there.
    assertEquals(List.of(1L), ids(placement.place(two.subList(0, 1), 1, "", Set.of())));
  }
}
