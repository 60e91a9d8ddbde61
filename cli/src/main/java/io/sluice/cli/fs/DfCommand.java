package io.sluice.cli.fs;

import io.sluice.cli.JsonOutput;
import io.sluice.cli.OutputOptions;
import io.sluice.cli.SizeText;
import io.sluice.cli.Stdout;
import io.sluice.cli.Table;
import io.sluice.client.ClusterUsage;
import io.sluice.client.SluiceClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sluice fs df [-h]}: the cache's size, use and free space summed over the live workers (what the leader last
 * heard from them), and the namespace's inodes: what {@code statfs} on a FUSE mount reports.
 */
@Command(name = "df", description = "Show the cluster's cache capacity, use and free space.")
public final class DfCommand implements Callable<Integer> {
  @Mixin
  FsContext ctx;

  @Mixin
  OutputOptions output;

  @Option(names = "-h", description = "Human-readable sizes (1.5GiB).")
  boolean human;

  @Override
  public Integer call() {
    ClusterUsage u;
    try (SluiceClient client = ctx.connect()) {
      u = client.usage();
    } catch (IOException e) {
      throw FsContext.failure("cluster", e);
    }
    PrintWriter out = Stdout.writer();
    if (output.json()) {
      out.println(JsonOutput.object().put("capacityBytes", u.capacityBytes()).put("usedBytes", u.usedBytes())
          .put("freeBytes", u.freeBytes()).put("inodes", u.inodes()).put("liveWorkers", u.liveWorkers()));
    } else {
      new Table(">SIZE", ">USED", ">AVAIL", ">USE%", ">INODES", ">WORKERS")
          .row(SizeText.of(u.capacityBytes(), human), SizeText.of(u.usedBytes(), human),
              SizeText.of(u.freeBytes(), human), SizeText.percent(u.usedBytes(), u.capacityBytes()), u.inodes(),
              u.liveWorkers())
          .print(out);
    }
    out.flush();
    return 0;
  }
}
