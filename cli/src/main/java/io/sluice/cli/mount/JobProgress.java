package io.sluice.cli.mount;

import io.sluice.cli.SizeText;
import io.sluice.cli.TransferProgress;
import io.sluice.common.proto.JobStatus;
import java.util.Locale;

/**
 * One line of a job's progress: files, bytes, rate and ETA, and on a terminal a bar redrawn in place; elsewhere
 * (a pipe, a log) a plain line each time it is printed.
 */
final class JobProgress {
  private static final int BAR = 30;

  private JobProgress() {}

  /**
   * @param elapsedMs since the job started, for the rate
   * @param terminal whether to draw a bar returning to the line start ({@code \r}) instead of one line per call
   */
  static String line(JobStatus s, long elapsedMs, boolean terminal) {
    double fraction = s.getBytesTotal() == 0 ? (s.getState() == JobStatus.State.LISTING ? 0 : 1)
        : (double) s.getBytesDone() / s.getBytesTotal();
    double rate = elapsedMs <= 0 ? 0 : s.getBytesDone() / (elapsedMs / 1000.0);
    String eta = rate <= 0 || fraction >= 1 ? "--" : seconds((s.getBytesTotal() - s.getBytesDone()) / rate);
    String text = String.format(Locale.ROOT, "%s %d/%d files (%d failed) %s/%s %s/s ETA %s",
        s.getState().name().toLowerCase(Locale.ROOT), s.getFilesDone(), s.getFilesTotal(), s.getFilesFailed(),
        bytes(s.getBytesDone()), bytes(s.getBytesTotal()), bytes((long) rate), eta);
    if (!terminal) {
      return text;
    }
    int filled = (int) Math.round(fraction * BAR);
    return "\r[" + "#".repeat(filled) + " ".repeat(BAR - filled) + "] " + String.format(Locale.ROOT, "%3.0f%% ",
        fraction * 100) + text;
  }

  static String bytes(long n) {
    return SizeText.of(n);
  }

  private static String seconds(double s) {
    return TransferProgress.eta(s);
  }
}
