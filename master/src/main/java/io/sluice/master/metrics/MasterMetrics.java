package io.sluice.master.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.sluice.common.proto.WorkerSummary;
import io.sluice.master.journal.MasterJournal;
import io.sluice.master.store.NamespaceStore;
import io.sluice.master.worker.WorkerRegistry;
import java.io.IOException;
import java.util.function.ToDoubleFunction;

/**
 * The master's own gauges, read when scraped:
 *
 * <ul>
 *   <li>{@value #INODES}: inodes in the namespace, the root included;
 *   <li>{@value #APPLIED_INDEX}: the last journal index applied to the store;
 *   <li>{@value #LEADER}: 1 while this master leads and has caught up, else 0;
 *   <li>{@value #WORKERS} (tag {@code state} = {@code live} or {@code lost});
 *   <li>{@value #BLOCK_REPLICAS}: block copies reported by live workers (a block cached on two workers counts
 *       twice);
 *   <li>{@value #CAPACITY} and {@value #USED}: bytes of the live workers, as they last reported.
 * </ul>
 */
public final class MasterMetrics implements MeterBinder {
  public static final String INODES = "sluice.master.inodes";
  public static final String APPLIED_INDEX = "sluice.master.journal.applied.index";
  public static final String LEADER = "sluice.master.leader";
  public static final String WORKERS = "sluice.master.workers";
  public static final String BLOCK_REPLICAS = "sluice.master.block.replicas";
  public static final String CAPACITY = "sluice.master.workers.capacity";
  public static final String USED = "sluice.master.workers.used";

  private final NamespaceStore store;
  private final MasterJournal journal;
  private final WorkerRegistry workers;

  public MasterMetrics(NamespaceStore store, MasterJournal journal, WorkerRegistry workers) {
    this.store = store;
    this.journal = journal;
    this.workers = workers;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    // Strong references: the registry must not be the reason these outlive the server, nor lose them before.
    Gauge.builder(INODES, store, NamespaceStore::inodeCount).strongReference(true)
        .description("Inodes in the namespace, the root included").register(registry);
    Gauge.builder(APPLIED_INDEX, store, NamespaceStore::appliedIndex).strongReference(true)
        .description("Last journal index applied to the namespace store").register(registry);
    Gauge.builder(LEADER, this, MasterMetrics::leader).strongReference(true)
        .description("1 while this master leads and has applied its whole log, else 0").register(registry);
    Gauge.builder(WORKERS, this, m -> m.countWorkers(true)).tag("state", "live").strongReference(true)
        .description("Workers known to this master, by state").register(registry);
    Gauge.builder(WORKERS, this, m -> m.countWorkers(false)).tag("state", "lost").strongReference(true)
        .description("Workers known to this master, by state").register(registry);
    liveSum(registry, BLOCK_REPLICAS, null, "Block copies reported by live workers", WorkerSummary::getBlockCount);
    liveSum(registry, CAPACITY, BaseUnits.BYTES, "Capacity of the live workers", WorkerSummary::getCapacityBytes);
    liveSum(registry, USED, BaseUnits.BYTES, "Bytes used on the live workers", WorkerSummary::getUsedBytes);
  }

  private void liveSum(MeterRegistry registry, String name, String unit, String description,
      ToDoubleFunction<WorkerSummary> field) {
    Gauge.builder(name, this, m -> m.workers.summaries().stream().filter(WorkerSummary::getLive)
        .mapToDouble(field).sum()).baseUnit(unit).description(description).strongReference(true).register(registry);
  }

  private double leader() {
    try {
      return journal.isLeaderReady() ? 1 : 0;
    } catch (IOException e) {
      return 0; // the journal is stopping: not a leader
    }
  }

  private double countWorkers(boolean live) {
    return workers.summaries().stream().filter(w -> w.getLive() == live).count();
  }
}
