package io.sluice.worker.metrics;

import io.sluice.common.proto.TierStatus;
import io.sluice.common.proto.WorkerAddress;
import io.sluice.common.proto.WorkerStatus;
import io.sluice.worker.block.BlockStore;
import io.sluice.worker.block.TierSpec;
import io.sluice.worker.block.TierStats;
import io.sluice.worker.data.ShortCircuitLeases;
import io.sluice.worker.ufs.ReadThroughStats;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Builds the worker's {@code /api/status} ({@link WorkerStatus}) from the same sources as its meters
 * ({@link WorkerMetrics}): the store's tier snapshots, the short-circuit leases and the read-through counters, plus
 * who it is (its id from the master, its advertised address) and the masters it was configured with.
 */
public final class WorkerStatusSource implements Supplier<WorkerStatus> {
  private final BlockStore store;
  private final List<TierSpec> tiers;
  private final LongSupplier workerId;
  private final WorkerAddress address;
  private final List<String> masters;
  private final ShortCircuitLeases shortCircuit;
  private final ReadThroughStats cache;

  /**
   * @param tiers as configured, for the directories of each tier
   * @param workerId the id the master gave, -1 while unregistered
   * @param masters the configured master addresses, {@code host:port}
   */
  public WorkerStatusSource(BlockStore store, List<TierSpec> tiers, LongSupplier workerId, WorkerAddress address,
      List<String> masters, ShortCircuitLeases shortCircuit, ReadThroughStats cache) {
    this.store = store;
    this.tiers = List.copyOf(tiers);
    this.workerId = workerId;
    this.address = address;
    this.masters = List.copyOf(masters);
    this.shortCircuit = shortCircuit;
    this.cache = cache;
  }

  @Override
  public WorkerStatus get() {
    WorkerStatus.Builder out = WorkerStatus.newBuilder().setWorkerId(workerId.getAsLong()).setAddress(address)
        .addAllMasterAddresses(masters).setShortCircuitLeases(shortCircuit.held()).setCacheHits(cache.hits())
        .setCacheMisses(cache.misses());
    for (TierStats t : store.tierStats()) {
      TierStatus.Builder tier = TierStatus.newBuilder().setAlias(t.alias().name()).setCapacityBytes(t.capacity())
          .setUsedBytes(t.used()).setReservedBytes(t.reserved()).setPooledBytes(t.pooled()).setBlockCount(t.blocks())
          .setFailedDirs(t.failedDirs()).setEvictions(t.evictions());
      for (TierSpec spec : tiers) {
        if (spec.alias() == t.alias()) {
          spec.dirs().forEach(d -> tier.addDirs(d.path().toString()));
        }
      }
      out.addTiers(tier);
    }
    return out.build();
  }
}
