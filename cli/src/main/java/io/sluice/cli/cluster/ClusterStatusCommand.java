package io.sluice.cli.cluster;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code sluice cluster status}: {@code sluice status master} on every master host and {@code sluice status worker}
 * on every worker host. Exits 1 naming the hosts where the role does not run (or ssh failed).
 */
@Command(name = "status", description = "Show whether each listed master and worker runs, over ssh.")
public final class ClusterStatusCommand implements Callable<Integer> {
  @Override
  public Integer call() throws Exception {
    ClusterPlan plan = new ClusterPlan();
    plan.run(plan.masters(), "master", "status", "master");
    plan.run(plan.workers(), "worker", "status", "worker");
    return plan.finish("all masters and workers are running", "not running");
  }
}
