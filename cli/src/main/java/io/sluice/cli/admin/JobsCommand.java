package io.sluice.cli.admin;

import io.sluice.cli.JsonOutput;
import io.sluice.cli.SizeText;
import io.sluice.cli.Stdout;
import io.sluice.cli.Table;
import io.sluice.common.proto.JobStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code sluice admin jobs}: the load jobs the leader knows, by id ({@code sluice job ID} shows one with its failed
 * files). Exit 1 when no master leads.
 */
@Command(name = "jobs", description = "Load jobs known to the leader, with their progress.")
public final class JobsCommand implements Callable<Integer> {
  @Mixin
  AdminContext ctx;

  @Override
  public Integer call() {
    List<JobStatus> jobs = ctx.leader().getJobsList();
    PrintWriter out = Stdout.writer();
    if (ctx.output.json()) {
      out.println(JsonOutput.array(jobs.stream().map(JsonOutput::of).toList()));
    } else {
      print(jobs, out, System.currentTimeMillis());
    }
    out.flush();
    return 0;
  }

  static void print(List<JobStatus> jobs, PrintWriter out, long nowMs) {
    Table t = new Table(">ID", "PATH", "STATE", ">FILES", ">FAILED", ">BYTES", ">ELAPSED");
    for (JobStatus j : jobs) {
      long elapsed = (j.getEndMs() != 0 ? j.getEndMs() : nowMs) - j.getStartMs();
      t.row(j.getJobId(), j.getPath(), j.getState().name().toLowerCase(Locale.ROOT),
          j.getFilesDone() + "/" + j.getFilesTotal(), j.getFilesFailed(),
          SizeText.of(j.getBytesDone()) + "/" + SizeText.of(j.getBytesTotal()),
          Duration.ofMillis(Math.max(0, elapsed)).toSeconds() + "s");
    }
    t.print(out);
  }

  /** {@code N (R running, S succeeded, F failed)}. */
  static String summary(List<JobStatus> jobs) {
    long running = jobs.stream().filter(j -> j.getState() == JobStatus.State.LISTING
        || j.getState() == JobStatus.State.RUNNING).count();
    long ok = jobs.stream().filter(j -> j.getState() == JobStatus.State.SUCCEEDED).count();
    long failed = jobs.stream().filter(j -> j.getState() == JobStatus.State.FAILED).count();
    return String.format(Locale.ROOT, "%d (%d running, %d succeeded, %d failed)", jobs.size(), running, ok, failed);
  }
}
