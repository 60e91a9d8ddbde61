package io.sluice.cli.admin;

import io.sluice.cli.JsonOutput;
import io.sluice.cli.SizeText;
import io.sluice.cli.Stdout;
import io.sluice.cli.Table;
import io.sluice.common.proto.DecommissionState;
import io.sluice.common.proto.MasterStatus;
import io.sluice.common.proto.TierStatus;
import io.sluice.common.proto.WorkerSummary;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code sluice admin workers}: the workers the leader knows, live or lost, with capacity and use, and per tier
 * where the worker's own status answers. A worker being decommissioned shows as {@code decommissioning} or
 * {@code decommissioned} instead of {@code live}, with the blocks it has left and why it waits, if it does, below
 * the table. Exit 1 when no master leads.
 */
@Command(name = "workers", description = "Workers known to the leader: live or lost, capacity and use per tier.")
public final class WorkersCommand implements Callable<Integer> {
  @Mixin
  AdminContext ctx;

  @Override
  public Integer call() {
    MasterStatus leader = ctx.leader();
    List<WorkerView> workers = ctx.workers(leader);
    PrintWriter out = Stdout.writer();
    if (ctx.output.json()) {
      out.println(JsonOutput.array(workers.stream().map(WorkerView::json).toList()));
    } else {
      print(workers, out);
    }
    out.flush();
    return 0;
  }

  /** One row per worker (its totals as the leader has them), then one per tier, then the workers without tiers. */
  static void print(List<WorkerView> workers, PrintWriter out) {
    Table t = new Table(">ID", "ADDRESS", "STATE", ">HEARTBEAT", ">BLOCKS", "TIER", ">CAPACITY", ">USED", ">USE%");
    for (WorkerView v : workers) {
      WorkerSummary w = v.summary();
      t.row(w.getWorkerId(), w.getAddress().getHost() + ":" + w.getAddress().getDataPort(),
          state(w), age(w.getHeartbeatAgeMs()), w.getBlockCount(), "all",
          SizeText.of(w.getCapacityBytes()), SizeText.of(w.getUsedBytes()),
          SizeText.percent(w.getUsedBytes(), w.getCapacityBytes()));
      if (v.status() != null) {
        for (TierStatus tier : v.status().getTiersList()) {
          t.row("", "", "", "", tier.getBlockCount(), tier.getAlias()
              + (tier.getFailedDirs() > 0 ? " (" + tier.getFailedDirs() + " dirs failed)" : ""),
              SizeText.of(tier.getCapacityBytes()), SizeText.of(tier.getUsedBytes()),
              SizeText.percent(tier.getUsedBytes(), tier.getCapacityBytes()));
        }
      }
    }
    t.print(out);
    for (WorkerView v : workers) {
      WorkerSummary w = v.summary();
      if (w.getDecommission() == DecommissionState.DECOMMISSIONING) {
        out.printf("worker %d: decommissioning, %d blocks left to copy%s%n", w.getWorkerId(),
            w.getDecommissionRemainingBlocks(), w.getDecommissionStuck().isEmpty() ? ""
                : "; waiting: " + w.getDecommissionStuck());
      }
    }
    for (WorkerView v : workers) {
      if (v.statusError() != null) {
        out.printf("worker %d: tiers unknown: %s%n", v.summary().getWorkerId(), v.statusError());
      }
    }
  }

  /** {@code live} or {@code lost}; a worker out of service shows its decommission state, lost or not. */
  static String state(WorkerSummary w) {
    String service = switch (w.getDecommission()) {
      case DECOMMISSIONING -> "decommissioning";
      case DECOMMISSIONED -> "decommissioned";
      default -> "";
    };
    if (service.isEmpty()) {
      return w.getLive() ? "live" : "lost";
    }
    return w.getLive() ? service : service + ",lost";
  }

  /** A heartbeat's age as people read it: {@code 200ms ago}, {@code 12s ago}, {@code 5m ago}. */
  static String age(long ms) {
    if (ms < 1000) {
      return ms + "ms ago";
    }
    long s = ms / 1000;
    return s < 120 ? s + "s ago" : s < 7200 ? s / 60 + "m ago" : s / 3600 + "h ago";
  }
}
