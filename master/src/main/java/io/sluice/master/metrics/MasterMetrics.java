package io.sluice.master.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.sluice.common.proto.WorkerSummary;
import io.sluice.master.journal.MasterJournal;
import io.sluice.master.store.NamespaceStore;
import io.sluice.master.worker.WorkerRegistry;
import java.io.IOException;
import java.util.List;
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
 *   <li>{@value #CAPACITY} and {@value #USED}: bytes of the live workers, as they last reported;
 *   <li>{@value #RAFT_TERM} and {@value #RAFT_COMMIT_INDEX}: this master's Raft term and the last log index it
 *       knows committed (commit index minus applied index is the apply lag);
 *   <li>{@value #RAFT_ROLE} (tag {@code role} = LEADER, FOLLOWER, CANDIDATE or LISTENER): 1 for this master's
 *       current Raft role, 0 for the others;
 *   <li>{@value #READ_BARRIERS} (tag {@code path} = {@code local} or {@code raft}), a counter: metadata reads
 *       confirmed current by a sole master on its own, or through a Ratis read index (3 or 5 masters).
 * </ul>
 * The Raft gauges read NaN while the Raft server is not running (starting, stopping).
 */
public final class MasterMetrics implements MeterBinder {
  public static final String INODES = "sluice.master.inodes";
  public static final String APPLIED_INDEX = "sluice.master.journal.applied.index";
  public static final String LEADER = "sluice.master.leader";
  public static final String WORKERS = "sluice.master.workers";
  public static final String BLOCK_REPLICAS = "sluice.master.block.replicas";
  public static final String CAPACITY = "sluice.master.workers.capacity";
  public static final String USED = "sluice.master.workers.used";
  public static final String RAFT_TERM = "sluice.master.raft.term";
  public static final String RAFT_COMMIT_INDEX = "sluice.master.raft.commit.index";
  public static final String RAFT_ROLE = "sluice.master.raft.role";
  public static final String READ_BARRIERS = "sluice.master.journal.read.barriers";
  /** Ratis's peer roles ({@code RaftPeerRole}), one series each so a role change is a 0/1 flip, not a new series. */
  private static final List<String> RAFT_ROLES = List.of("LEADER", "FOLLOWER", "CANDIDATE", "LISTENER");

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
    Gauge.builder(RAFT_TERM, this, m -> m.raft(s -> s.term())).strongReference(true)
        .description("This master's current Raft term").register(registry);
    Gauge.builder(RAFT_COMMIT_INDEX, this, m -> m.raft(s -> s.commitIndex())).strongReference(true)
        .description("Last Raft log index this master knows committed").register(registry);
    for (boolean local : new boolean[] {true, false}) {
      FunctionCounter.builder(READ_BARRIERS, journal, j -> j.readBarriers(local)).tag("path", local ? "local" : "raft")
          .description("Metadata reads confirmed current, by a sole master on its own or through a Ratis read index")
          .register(registry);
    }
    for (String role : RAFT_ROLES) {
      Gauge.builder(RAFT_ROLE, this, m -> m.raft(s -> s.role().equals(role) ? 1 : 0)).tag("role", role)
          .strongReference(true).description("1 for this master's current Raft role, else 0").register(registry);
    }
  }

  private double raft(ToDoubleFunction<MasterJournal.RaftState> field) {
    try {
      return field.applyAsDouble(journal.state());
    } catch (IOException | RuntimeException e) {
      return Double.NaN; // the Raft server is not running: nothing to report
    }
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
