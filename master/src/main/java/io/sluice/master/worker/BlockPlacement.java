package io.sluice.master.worker;

import io.sluice.common.proto.BlockLocation;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Chooses the workers of a new block's write pipeline (DESIGN §5): a live worker on the client's host first (the
 * client then writes locally and reads with short-circuit), then workers drawn at random weighted by free bytes,
 * all distinct, none of the excluded. Weights are free bytes plus one, so full workers (normal for a cache that
 * evicts) still get blocks, just rarely while others have room.
 */
public final class BlockPlacement {
  /** Not thread-safe (SplittableRandom): draws are serialized by {@link #draw}; RPC threads place concurrently. */
  private final RandomGenerator random;

  public BlockPlacement(RandomGenerator random) {
    this.random = random;
  }

  /**
   * @return {@code replicas} distinct workers, or all there are when fewer are live (at least one), the first being
   *     the pipeline's target
   * @throws RpcException UNAVAILABLE when no live worker remains after exclusions
   */
  public List<BlockLocation> place(List<PlacementCandidate> candidates, int replicas, String clientHost,
      Set<Long> excluded) throws RpcException {
    List<PlacementCandidate> pool = new ArrayList<>();
    for (PlacementCandidate c : candidates) {
      if (!excluded.contains(c.workerId())) {
        pool.add(c);
      }
    }
    if (pool.isEmpty()) {
      throw new RpcException(Status.UNAVAILABLE, "no live worker to place a block on (" + candidates.size()
          + " live, " + excluded.size() + " excluded)");
    }
    List<BlockLocation> chosen = new ArrayList<>(replicas);
    if (clientHost != null && !clientHost.isEmpty()) {
      List<PlacementCandidate> local = pool.stream().filter(c -> c.address().getHost().equals(clientHost)).toList();
      if (!local.isEmpty()) {
        take(pool, local, chosen);
      }
    }
    while (chosen.size() < Math.max(1, replicas) && !pool.isEmpty()) {
      take(pool, pool, chosen);
    }
    return chosen;
  }

  /**
   * The worker that reads an uncached UFS-backed block through (DESIGN §5): one on the client's host, else one
   * picked by the block id, so concurrent readers on other hosts go to the same worker and share its one UFS read.
   * Empty when no worker is live (the client then reads the UFS itself).
   */
  public Optional<BlockLocation> readThrough(List<PlacementCandidate> candidates, long blockId,
      String clientHost) {
    if (candidates.isEmpty()) {
      return Optional.empty();
    }
    List<PlacementCandidate> sorted = new ArrayList<>(candidates);
    sorted.sort(Comparator.comparingLong(PlacementCandidate::workerId));
    PlacementCandidate pick = sorted.stream().filter(c -> c.address().getHost().equals(clientHost)).findFirst()
        .orElse(sorted.get(Math.floorMod(Long.hashCode(blockId * 0x9E3779B97F4A7C15L), sorted.size())));
    return Optional.of(BlockLocation.newBuilder().setWorkerId(pick.workerId()).setAddress(pick.address())
        .build());
  }

  private long draw(long bound) {
    synchronized (random) {
      return random.nextLong(bound);
    }
  }

  /** Draws one of {@code from} by weight, moves it from {@code pool} to {@code chosen}. */
  private void take(List<PlacementCandidate> pool, List<PlacementCandidate> from, List<BlockLocation> chosen) {
    long total = 0;
    for (PlacementCandidate c : from) {
      total += c.freeBytes() + 1;
    }
    long r = draw(total);
    PlacementCandidate pick = from.get(from.size() - 1);
    for (PlacementCandidate c : from) {
      r -= c.freeBytes() + 1;
      if (r < 0) {
        pick = c;
        break;
      }
    }
    pool.remove(pick);
    chosen.add(BlockLocation.newBuilder().setWorkerId(pick.workerId()).setAddress(pick.address()).build());
  }
}
