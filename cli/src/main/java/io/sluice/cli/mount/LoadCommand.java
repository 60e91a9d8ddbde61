package io.sluice.cli.mount;

import io.sluice.cli.Stdout;
import io.sluice.cli.fs.FsPaths;
import io.sluice.client.SluiceClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice load PATH [--watch]}: starts a load job; with {@code --watch} follows it to the end with a progress
 * line (a bar on a terminal) and lists the files that failed. Exit 0 when every file loaded, 1 when some failed.
 * Without it, {@code sluice job ID} looks the job up later.
 */
@Command(name = "load", description = "Load UFS-backed files under PATH into the cache (a job on the master).")
public final class LoadCommand implements Callable<Integer> {
  @Mixin
  MountGroup ctx;

  @Parameters(paramLabel = "PATH", description = "File or directory under a mount.")
  String path;

  @Option(names = "--watch", description = "Show progress until the job ends.")
  boolean watch;

  @Override
  public Integer call() throws InterruptedException {
    path = FsPaths.clean(path);
    PrintWriter out = Stdout.writer();
    try (SluiceClient client = ctx.connect()) {
      long id = client.load(path);
      out.printf("load job %d started for %s%n", id, path);
      out.flush();
      if (!watch) {
        return 0;
      }
      return JobWatch.watch(client, id, out);
    } catch (IOException e) {
      throw MountGroup.failure(path, e);
    }
  }
}
