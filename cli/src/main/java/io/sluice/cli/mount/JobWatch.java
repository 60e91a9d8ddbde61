package io.sluice.cli.mount;

import io.sluice.client.SluiceClient;
import io.sluice.common.proto.JobFailure;
import io.sluice.common.proto.JobStatus;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * Follows a job to its end ({@code sluice load --watch}, {@code sluice job --watch}): a progress line (a bar on a
 * terminal) per poll, then the files that failed. Polls through master failovers (jobs survive them).
 */
final class JobWatch {
  private static final long POLL_MS = 500;

  private JobWatch() {}

  /** @return the exit code: 0 when every file loaded, 1 when some failed */
  static int watch(SluiceClient client, long id, PrintWriter out) throws IOException, InterruptedException {
    boolean terminal = System.console() != null;
    JobStatus s;
    while (true) {
      s = client.job(id);
      boolean done = s.getEndMs() != 0;
      long elapsed = (done ? s.getEndMs() : System.currentTimeMillis()) - s.getStartMs();
      out.print(JobProgress.line(s, elapsed, terminal));
      if (!terminal || done) {
        out.println();
      }
      out.flush();
      if (done) {
        break;
      }
      Thread.sleep(POLL_MS);  // polling the master's job status at a human pace
    }
    printFailures(s, out);
    return s.getState() == JobStatus.State.SUCCEEDED ? 0 : 1;
  }

  static void printFailures(JobStatus s, PrintWriter out) {
    for (JobFailure f : s.getFailuresList()) {
      out.printf("failed: %s: %s%n", f.getPath(), f.getReason());
    }
    if (s.getFilesFailed() > s.getFailuresCount()) {
      out.printf("(%d more failed files not listed)%n", s.getFilesFailed() - s.getFailuresCount());
    }
    out.flush();
  }
}
