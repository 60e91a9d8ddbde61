package io.sluice.cli.cluster;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code sluice cluster stop}: {@code sluice stop worker} on every worker host, then {@code sluice stop master} on
 * every master host (the reverse of start), each stage in parallel. Exits 1 naming the hosts where it failed.
 */
@Command(name = "stop", description = "Stop the workers, then the masters, over ssh.")
public final class ClusterStopCommand implements Callable<Integer> {
  @Override
  public Integer call() throws Exception {
    ClusterPlan plan = new ClusterPlan();
    List<String> masters = plan.masters();
    List<String> workers = plan.workers();
    plan.run(workers, "worker", "stop", "worker");
    plan.run(masters, "master", "stop", "master");
    return plan.finish("cluster stopped", "stop failed");
  }
}
