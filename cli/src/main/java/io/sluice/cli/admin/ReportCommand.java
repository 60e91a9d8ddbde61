package io.sluice.cli.admin;

import io.sluice.cli.CliException;
import io.sluice.cli.JsonOutput;
import io.sluice.cli.SizeText;
import io.sluice.cli.Stdout;
import io.sluice.common.proto.MasterStatus;
import io.sluice.common.proto.WorkerSummary;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code sluice admin report}: the whole cluster on one screen: the leader, every master's Raft state, the workers
 * (per tier where they answer), the namespace, cached blocks and jobs. When no master leads it still shows the
 * masters, then fails (exit 1) saying why.
 */
@Command(name = "report", description = "Cluster overview: masters, workers, capacity, namespace, blocks, jobs.")
public final class ReportCommand implements Callable<Integer> {
  @Mixin
  AdminContext ctx;

  @Override
  public Integer call() {
    List<MasterProbe> masters = ctx.probeMasters();
    MasterStatus leader;
    try {
      leader = AdminContext.leader(masters);
    } catch (CliException e) {
      print(masters, null, List.of());
      throw e;
    }
    print(masters, leader, ctx.workers(leader));
    return 0;
  }

  private void print(List<MasterProbe> masters, MasterStatus leader, List<WorkerView> workers) {
    PrintWriter out = Stdout.writer();
    if (ctx.output.json()) {
      out.println(JsonOutput.object().put("leader", leader == null ? null : leader.getAddress())
          .putJson("masters", JsonOutput.array(masters.stream().map(MasterProbe::json).toList()))
          .put("cluster", leader)
          .putJson("workers", JsonOutput.array(workers.stream().map(WorkerView::json).toList())));
      out.flush();
      return;
    }
    long reachable = masters.stream().filter(MasterProbe::reachable).count();
    if (leader == null) {
      out.printf("leader:     none%n");
      out.printf("masters:    %d configured, %d reachable%n%n", masters.size(), reachable);
      MastersCommand.print(masters, out);
      out.flush();
      return;
    }
    long blocks = leader.getWorkersList().stream().filter(WorkerSummary::getLive)
        .mapToLong(WorkerSummary::getBlockCount).sum();
    out.printf("leader:     %s (term %d)%n", leader.getAddress(), leader.getTerm());
    out.printf("masters:    %d configured, %d reachable%n", masters.size(), reachable);
    out.printf("workers:    %d live, %d lost%n", leader.getLiveWorkers(),
        leader.getWorkersCount() - leader.getLiveWorkers());
    out.printf("capacity:   %s, used %s (%s), free %s%n", SizeText.of(leader.getCapacityBytes()),
        SizeText.of(leader.getUsedBytes()), SizeText.percent(leader.getUsedBytes(), leader.getCapacityBytes()),
        SizeText.of(Math.max(0, leader.getCapacityBytes() - leader.getUsedBytes())));
    out.printf("namespace:  %d inodes, %d mounts%n", leader.getInodeCount(), leader.getMountsCount());
    out.printf("blocks:     %d cached on live workers (replicas counted)%n", blocks);
    out.printf("jobs:       %s%n", JobsCommand.summary(leader.getJobsList()));
    out.println();
    MastersCommand.print(masters, out);
    out.println();
    WorkersCommand.print(workers, out);
    out.flush();
  }
}
