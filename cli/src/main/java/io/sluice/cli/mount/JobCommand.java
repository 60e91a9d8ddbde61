package io.sluice.cli.mount;

import io.sluice.cli.CliException;
import io.sluice.cli.JsonOutput;
import io.sluice.cli.OutputOptions;
import io.sluice.cli.Stdout;
import io.sluice.client.SluiceClient;
import io.sluice.common.proto.JobStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sluice job ID [--watch]}: the status of a job that {@code sluice load} started (on whichever master leads
 * now: jobs survive failovers), or follows it to its end. Exit 0 when it succeeded (or still runs, without
 * {@code --watch}), 1 when files failed or the job is unknown. {@code --output json} prints its JobStatus once.
 */
@Command(name = "job", description = "Show (or --watch) a load job's progress by its id.")
public final class JobCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  MountGroup ctx;

  @Mixin
  OutputOptions output;

  @Parameters(paramLabel = "ID", description = "The job id `sluice load` printed.")
  long id;

  @Option(names = "--watch", description = "Show progress until the job ends.")
  boolean watch;

  @Override
  public Integer call() throws InterruptedException {
    if (watch && output.json()) {
      throw new ParameterException(spec.commandLine(), "--output json shows the job once; it does not go with --watch");
    }
    PrintWriter out = Stdout.writer();
    try (SluiceClient client = ctx.connect()) {
      if (watch) {
        return JobWatch.watch(client, id, out);
      }
      JobStatus s = client.job(id);
      if (output.json()) {
        out.println(JsonOutput.of(s));
        out.flush();
        return s.getState() == JobStatus.State.FAILED ? 1 : 0;
      }
      long elapsed = (s.getEndMs() != 0 ? s.getEndMs() : System.currentTimeMillis()) - s.getStartMs();
      out.printf("load job %d on %s: %s%n", id, s.getPath(), JobProgress.line(s, elapsed, false));
      JobWatch.printFailures(s, out);
      return s.getState() == JobStatus.State.FAILED ? 1 : 0;
    } catch (IOException e) {
      // The master's words, not an errno text: "no such file" would mislead for a job id.
      throw new CliException(e.getMessage());
    }
  }
}
