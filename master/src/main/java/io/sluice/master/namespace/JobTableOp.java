package io.sluice.master.namespace;

import io.sluice.common.proto.Status;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.EndJobEntry;
import io.sluice.master.proto.JobRecord;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.proto.StartJobEntry;
import io.sluice.master.store.StoreBatch;

/**
 * The journaled job table (DESIGN §5): a job is recorded when it starts and given its final status when it ends,
 * so the next leader knows which jobs to run again and what finished ones came to. Progress in between is the
 * running leader's memory.
 */
public final class JobTableOp {
  private JobTableOp() {}

  /** The entry that records job {@code id} on {@code path}, run for {@code caller}. */
  public static JournalEntry start(long id, String path, Caller caller, long timeMs) {
    return JournalEntry.newBuilder().setCaller(caller.toProto()).setStartJob(StartJobEntry.newBuilder()
        .setJobId(id).setPath(path).setTimeMs(timeMs)).build();
  }

  static ApplyResult applyStart(StartJobEntry e, JournalEntry entry, StoreBatch b) {
    b.putJob(JobRecord.newBuilder().setJobId(e.getJobId()).setPath(e.getPath()).setCaller(entry.getCaller())
        .setStartMs(e.getTimeMs()).build());
    return ApplyResult.newBuilder().setStatus(Status.OK).setJobId(e.getJobId()).build();
  }

  /** Records the outcome (a job forgotten meanwhile stays forgotten) and drops the jobs the leader let go. */
  static ApplyResult applyEnd(EndJobEntry e, StoreBatch b) {
    b.job(e.getStatus().getJobId()).ifPresent(j -> b.putJob(j.toBuilder().setFinalStatus(e.getStatus()).build()));
    for (long id : e.getForgetList()) {
      b.deleteJob(id);
    }
    return ApplyResult.newBuilder().setStatus(Status.OK).build();
  }
}
