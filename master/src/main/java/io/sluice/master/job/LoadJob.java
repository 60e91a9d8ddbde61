package io.sluice.master.job;

import io.sluice.common.proto.BlockInfo;
import io.sluice.common.proto.JobFailure;
import io.sluice.common.proto.JobStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state of one load job: its files, each block's task, and the counts a status shows. Only the job's runner
 * thread changes it; {@link #status()} is read from RPC threads, hence synchronized.
 */
final class LoadJob {
  /** A block to load, where it was sent, and how often it failed. */
  static final class Task {
    final BlockInfo block;
    final FileProgress file;
    final Set<Long> failedOn = new HashSet<>();
    long workerId;
    long sentAtMs;
    String lastFailure = "";

    Task(BlockInfo block, FileProgress file) {
      this.block = block;
      this.file = file;
    }
  }

  /** One file: blocks still to load; failed once any block ran out of attempts. */
  static final class FileProgress {
    final String path;
    int blocksLeft;
    boolean failed;

    FileProgress(String path, int blocks) {
      this.path = path;
      this.blocksLeft = blocks;
    }
  }

  static final int MAX_FAILURES_SHOWN = 100;

  final long id;
  final String path;
  final long startMs;
  /** The leader term this job runs in: it stops when the term is over. */
  final long term;
  /** Its END_JOB entry is on its way (set by the ticker, reset by a failed proposal's completion). */
  volatile boolean endProposed;
  final Map<Long, Task> tasks = new HashMap<>();
  private JobStatus.State state = JobStatus.State.LISTING;
  private long filesTotal;
  private long filesDone;
  private long filesFailed;
  private long bytesTotal;
  private long bytesDone;
  private long endMs;
  private final List<JobFailure> failures = new ArrayList<>();

  LoadJob(long id, String path, long startMs, long term) {
    this.id = id;
    this.term = term;
    this.path = path;
    this.startMs = startMs;
  }

  /** A file found while listing, with its blocks still to load (the cached ones count as done). */
  synchronized FileProgress addFile(String file, List<BlockInfo> toLoad, long fileBytes, long cachedBytes) {
    filesTotal++;
    bytesTotal += fileBytes;
    bytesDone += cachedBytes;
    FileProgress f = new FileProgress(file, toLoad.size());
    if (toLoad.isEmpty()) {
      filesDone++;
    }
    return f;
  }

  /** A file that cannot be loaded at all (e.g. no permission), counted as failed. */
  synchronized void fileUnloadable(String file, String reason) {
    filesTotal++;
    filesFailed++;
    addFailure(file, reason);
  }

  synchronized void blockLoaded(Task t) {
    bytesDone += t.block.getLength();
    if (--t.file.blocksLeft == 0 && !t.file.failed) {
      filesDone++;
    }
  }

  synchronized void blockFailed(Task t) {
    if (!t.file.failed) {
      t.file.failed = true;
      filesFailed++;
      addFailure(t.file.path, t.lastFailure);
    }
  }

  synchronized void running() {
    state = JobStatus.State.RUNNING;
  }

  synchronized void finish(long now) {
    state = filesFailed > 0 ? JobStatus.State.FAILED : JobStatus.State.SUCCEEDED;
    endMs = now;
  }

  synchronized boolean finished() {
    return endMs != 0;
  }

  private void addFailure(String file, String reason) {
    if (failures.size() < MAX_FAILURES_SHOWN) {
      failures.add(JobFailure.newBuilder().setPath(file).setReason(reason).build());
    }
  }

  synchronized JobStatus status() {
    return JobStatus.newBuilder().setJobId(id).setPath(path).setState(state).setFilesTotal(filesTotal)
        .setFilesDone(filesDone).setFilesFailed(filesFailed).setBytesTotal(bytesTotal).setBytesDone(bytesDone)
        .addAllFailures(failures).setStartMs(startMs).setEndMs(endMs).build();
  }
}
