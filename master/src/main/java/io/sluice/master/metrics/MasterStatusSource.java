package io.sluice.master.metrics;

import io.sluice.common.proto.JobStatus;
import io.sluice.common.proto.MasterStatus;
import io.sluice.common.proto.MountInfo;
import io.sluice.common.proto.MountSummary;
import io.sluice.common.proto.WorkerSummary;
import io.sluice.master.job.LoadJobs;
import io.sluice.master.journal.MasterJournal;
import io.sluice.master.mount.MountService;
import io.sluice.master.store.NamespaceStore;
import io.sluice.master.worker.WorkerRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Supplier;

/**
 * Builds the master's {@code /api/status} ({@link MasterStatus}) from the parts that already answer the RPCs:
 * the journal's Raft view, the store (inodes, mounts, jobs), the worker registry (as GET_CLUSTER_INFO) and the load
 * jobs (as GET_JOB). Reads local state only, without a read barrier: a status page must answer on a follower or
 * while the group has no leader, and may lag the leader by the entries not yet applied here.
 */
public final class MasterStatusSource implements Supplier<MasterStatus> {
  private final MasterJournal journal;
  private final NamespaceStore store;
  private final WorkerRegistry workers;
  private final MountService mounts;
  private final LoadJobs loads;
  private final Supplier<String> address;

  /** @param address this master's advertised RPC {@code host:port} */
  public MasterStatusSource(MasterJournal journal, NamespaceStore store, WorkerRegistry workers, MountService mounts,
      LoadJobs loads, Supplier<String> address) {
    this.journal = journal;
    this.store = store;
    this.workers = workers;
    this.mounts = mounts;
    this.loads = loads;
    this.address = address;
  }

  /** @throws UncheckedIOException when the journal is not running (the master is stopping) */
  @Override
  public MasterStatus get() {
    MasterJournal.RaftState raft;
    try {
      raft = journal.state();
    } catch (IOException e) {
      throw new UncheckedIOException("journal unavailable: " + e.getMessage(), e);
    }
    String self = address.get();
    MasterStatus.Builder out = MasterStatus.newBuilder().setRole(raft.role()).setAddress(self)
        .setLeader(raft.selfLeads() ? self : raft.leader()).setTerm(raft.term()).setCommitIndex(raft.commitIndex())
        .setAppliedIndex(raft.appliedIndex()).setInodeCount(store.inodeCount());
    for (MountInfo m : mounts.mounts().getMountsList()) {
      out.addMounts(MountSummary.newBuilder().setPath(m.getPath()).setUfsUri(m.getUfsUri())
          .setReadOnly(m.getReadOnly()));
    }
    for (WorkerSummary w : workers.summaries()) {
      out.addWorkers(w);
      if (w.getLive()) {
        out.setLiveWorkers(out.getLiveWorkers() + 1).setCapacityBytes(out.getCapacityBytes() + w.getCapacityBytes())
            .setUsedBytes(out.getUsedBytes() + w.getUsedBytes());
      }
    }
    for (JobStatus job : loads.statuses()) {
      // A failed job lists up to 100 failures; GET_JOB gives them, the overview counts them.
      out.addJobs(job.toBuilder().clearFailures());
    }
    return out.build();
  }
}
