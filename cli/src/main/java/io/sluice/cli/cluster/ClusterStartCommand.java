package io.sluice.cli.cluster;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code sluice cluster start}: {@code sluice master --daemon} on every master host, then (so they find a master)
 * {@code sluice worker --daemon} on every worker host; each stage runs its hosts in parallel. Workers are started
 * even when a master failed (a quorum may still be up); the command then exits 1 naming the failed hosts.
 */
@Command(name = "start", description = "Start the masters, then the workers, over ssh.")
public final class ClusterStartCommand implements Callable<Integer> {
  @Override
  public Integer call() throws Exception {
    ClusterPlan plan = new ClusterPlan();
    List<String> masters = plan.masters();
    List<String> workers = plan.workers();
    plan.run(masters, "master", "master", "--daemon");
    plan.run(workers, "worker", "worker", "--daemon");
    return plan.finish("cluster started: " + masters.size() + " master(s), " + workers.size() + " worker(s)",
        "start failed");
  }
}
