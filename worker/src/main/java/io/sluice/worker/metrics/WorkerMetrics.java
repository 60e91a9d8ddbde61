package io.sluice.worker.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.sluice.common.rpc.Transport;
import io.sluice.worker.block.BlockStore;
import io.sluice.worker.block.TierAlias;
import io.sluice.worker.block.TierStats;
import io.sluice.worker.copy.CopyStats;
import io.sluice.worker.data.DataTraffic;
import io.sluice.worker.data.ShortCircuitLeases;
import io.sluice.worker.ufs.ReadThroughStats;
import java.util.function.ToDoubleFunction;

/**
 * The worker's own meters, read when scraped. Per tier (tag {@code tier} = MEM, SSD or HDD):
 * {@value #CAPACITY} and {@value #USED} (bytes of its healthy directories), {@value #POOLED} (bytes of freed MEM
 * files kept resident for the next blocks; free space, but held in memory), {@value #BLOCKS},
 * {@value #EVICTIONS} (a counter since start) and {@value #FAILED_DIRS}. For the data service: {@value #READ} and
 * {@value #WRITTEN}, block bytes sent to readers and received from writers over the block RPC, and
 * {@value #READ_ZERO_COPY}, those of the bytes sent that went as a FileRegion (zero copy, tagged with the
 * transport), {@value #READ_MAPPED}, those sent in transfer mode mapped straight from a MEM block's kept mapping, and
 * {@value #MAPPED} (bytes of the blocks kept mapped now). For short-circuit reads (DESIGN 5):
 * {@value #SHORT_CIRCUIT_OPENS} (leases granted to clients on this host, which then read the block file themselves;
 * those bytes are not in {@value #READ}) and
 * {@value #SHORT_CIRCUIT_LEASES} (leases open now). For the cache: {@value #HITS} (READ_BLOCK calls and
 * short-circuit opens served from a block the worker held),
 * {@value #MISSES} (calls for a block it did not hold, read through from the UFS), {@value #UFS_READ} (bytes read
 * from UFSs), {@value #UFS_ERRORS} (UFS reads that failed with UFS_ERROR; a file changed under Sluice, STALE, is
 * not counted) and {@value #CORRUPT_BLOCKS} (blocks found not to match their checksums and removed). For
 * decommission drains: {@value #BLOCKS_COPIED} (blocks copied here from another worker) and
 * {@value #BLOCK_COPY_FAILURES} (copy tasks that failed). All counters count since start.
 */
public final class WorkerMetrics implements MeterBinder {
  public static final String CAPACITY = "sluice.worker.tier.capacity";
  public static final String USED = "sluice.worker.tier.used";
  public static final String POOLED = "sluice.worker.tier.pooled";
  public static final String BLOCKS = "sluice.worker.tier.blocks";
  public static final String EVICTIONS = "sluice.worker.tier.evictions";
  public static final String FAILED_DIRS = "sluice.worker.tier.dirs.failed";
  public static final String READ = "sluice.worker.data.read";
  public static final String WRITTEN = "sluice.worker.data.written";
  public static final String READ_ZERO_COPY = "sluice.worker.data.read.zero.copy";
  public static final String READ_MAPPED = "sluice.worker.data.read.mapped";
  public static final String MAPPED = "sluice.worker.data.mapped";
  public static final String HITS = "sluice.worker.cache.hits";
  public static final String MISSES = "sluice.worker.cache.misses";
  public static final String UFS_READ = "sluice.worker.ufs.read.bytes";
  public static final String UFS_ERRORS = "sluice.worker.ufs.errors";
  public static final String SHORT_CIRCUIT_OPENS = "sluice.worker.short.circuit.opens";
  public static final String SHORT_CIRCUIT_LEASES = "sluice.worker.short.circuit.leases";
  public static final String CORRUPT_BLOCKS = "sluice.worker.blocks.corrupt";
  /** Blocks held that are pinned (of Sluice-native or pinned files), never evicted: sluice_worker_blocks_pinned. */
  public static final String PINNED_BLOCKS = "sluice.worker.blocks.pinned";
  public static final String BLOCKS_COPIED = "sluice.worker.blocks.copied";
  public static final String BLOCK_COPY_FAILURES = "sluice.worker.blocks.copy.failures";

  private final BlockStore store;
  private final DataTraffic traffic;
  private final ReadThroughStats cache;
  private final ShortCircuitLeases shortCircuit;
  private final Transport transport;
  private final CopyStats copies;

  /**
   * @param store an opened store: its tiers are read once here, to tag one series per tier
   * @param transport the data server's, tagging {@value #READ_ZERO_COPY} (sendfile on EPOLL, transferTo on NIO)
   */
  public WorkerMetrics(BlockStore store, DataTraffic traffic, ReadThroughStats cache,
      ShortCircuitLeases shortCircuit, Transport transport) {
    this(store, traffic, cache, shortCircuit, transport, new CopyStats());
  }

  /** @param copies the decommission copies' counts */
  public WorkerMetrics(BlockStore store, DataTraffic traffic, ReadThroughStats cache,
      ShortCircuitLeases shortCircuit, Transport transport, CopyStats copies) {
    this.copies = copies;
    this.transport = transport;
    this.store = store;
    this.traffic = traffic;
    this.cache = cache;
    this.shortCircuit = shortCircuit;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (TierStats t : store.tierStats()) {
      TierAlias alias = t.alias();
      tierGauge(registry, CAPACITY, alias, BaseUnits.BYTES, "Bytes the tier's healthy directories may hold",
          TierStats::capacity);
      tierGauge(registry, USED, alias, BaseUnits.BYTES, "Bytes of committed blocks in the tier", TierStats::used);
      tierGauge(registry, POOLED, alias, BaseUnits.BYTES, "Bytes of freed files kept resident for reuse (MEM)",
          TierStats::pooled);
      tierGauge(registry, BLOCKS, alias, null, "Committed blocks in the tier", TierStats::blocks);
      tierGauge(registry, FAILED_DIRS, alias, null, "Directories of the tier marked failed", TierStats::failedDirs);
      FunctionCounter.builder(EVICTIONS, this, m -> m.tier(alias, TierStats::evictions))
          .tag("tier", alias.name()).description("Blocks evicted from the tier since start").register(registry);
    }
    FunctionCounter.builder(READ, traffic, DataTraffic::bytesSent).baseUnit(BaseUnits.BYTES)
        .description("Block bytes sent to readers").register(registry);
    FunctionCounter.builder(READ_ZERO_COPY, traffic, DataTraffic::bytesSentZeroCopy).baseUnit(BaseUnits.BYTES)
        .tag("transport", transport.name()).description("Of the block bytes sent, those sent as a FileRegion")
        .register(registry);
    FunctionCounter.builder(READ_MAPPED, traffic, DataTraffic::bytesSentMapped).baseUnit(BaseUnits.BYTES)
        .description("Of the block bytes sent, those sent from a block's kept mapping").register(registry);
    Gauge.builder(MAPPED, store, BlockStore::mappedBytes).baseUnit(BaseUnits.BYTES)
        .description("Bytes of MEM blocks kept mapped for transfer mode mapped").register(registry);
    FunctionCounter.builder(WRITTEN, traffic, DataTraffic::bytesReceived).baseUnit(BaseUnits.BYTES)
        .description("Block bytes received from writers").register(registry);
    FunctionCounter.builder(HITS, cache, ReadThroughStats::hits)
        .description("Block reads served from a block this worker held").register(registry);
    FunctionCounter.builder(MISSES, cache, ReadThroughStats::misses)
        .description("Block reads of a block this worker did not hold, read through from the UFS").register(registry);
    FunctionCounter.builder(UFS_READ, cache, ReadThroughStats::ufsBytesRead).baseUnit(BaseUnits.BYTES)
        .description("Bytes read from UFSs").register(registry);
    FunctionCounter.builder(UFS_ERRORS, cache, ReadThroughStats::ufsErrors)
        .description("UFS reads that failed because the store did (UFS_ERROR)").register(registry);
    FunctionCounter.builder(SHORT_CIRCUIT_OPENS, shortCircuit, ShortCircuitLeases::opens)
        .description("Short-circuit leases granted: blocks read by local clients from their files").register(registry);
    FunctionCounter.builder(CORRUPT_BLOCKS, store, BlockStore::corruptBlocks)
        .description("Blocks found not to match their checksums and removed").register(registry);
    FunctionCounter.builder(BLOCKS_COPIED, copies, CopyStats::copied)
        .description("Blocks copied here from another worker (decommission drains)").register(registry);
    FunctionCounter.builder(BLOCK_COPY_FAILURES, copies, CopyStats::failed)
        .description("Block copy tasks that failed").register(registry);
    Gauge.builder(PINNED_BLOCKS, store, BlockStore::pinnedBlocks)
        .description("Blocks held that are pinned (of Sluice-native or pinned files): never evicted")
        .strongReference(true).register(registry);
    Gauge.builder(SHORT_CIRCUIT_LEASES, shortCircuit, ShortCircuitLeases::held)
        .description("Short-circuit leases open now").strongReference(true).register(registry);
  }

  private void tierGauge(MeterRegistry registry, String name, TierAlias alias, String unit, String description,
      ToDoubleFunction<TierStats> field) {
    Gauge.builder(name, this, m -> m.tier(alias, field)).tag("tier", alias.name()).baseUnit(unit)
        .description(description).strongReference(true).register(registry);
  }

  /** One field of one tier's current stats; tiers are fixed at start, so the alias is always there. */
  private double tier(TierAlias alias, ToDoubleFunction<TierStats> field) {
    for (TierStats t : store.tierStats()) {
      if (t.alias() == alias) {
        return field.applyAsDouble(t);
      }
    }
    return Double.NaN;
  }
}
