package io.sluice.cli.admin;

import io.sluice.cli.JsonOutput;
import io.sluice.cli.Stdout;
import io.sluice.cli.Table;
import io.sluice.common.proto.MasterStatus;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code sluice admin masters}: every configured master ({@code sluice.master.addresses}) with its Raft role, term
 * and journal indices, or why it did not answer. Exit 0 when one of them leads, 1 otherwise.
 */
@Command(name = "masters", description = "Each configured master: Raft role, term, commit and applied index.")
public final class MastersCommand implements Callable<Integer> {
  @Mixin
  AdminContext ctx;

  @Override
  public Integer call() {
    List<MasterProbe> probes = ctx.probeMasters();
    PrintWriter out = Stdout.writer();
    if (ctx.output.json()) {
      out.println(JsonOutput.array(probes.stream().map(MasterProbe::json).toList()));
    } else {
      print(probes, out);
    }
    out.flush();
    AdminContext.leader(probes);  // no leader: exit 1, saying why
    return 0;
  }

  static void print(List<MasterProbe> probes, PrintWriter out) {
    Table t = new Table("ADDRESS", "ROLE", ">TERM", ">COMMIT", ">APPLIED", "NOTE");
    for (MasterProbe p : probes) {
      if (!p.reachable()) {
        t.row(p.address(), "unreachable", "", "", "", p.error());
        continue;
      }
      MasterStatus s = p.status();
      String note = p.leads() ? "" : s.getLeader().isEmpty() ? "knows no leader" : "leader " + s.getLeader();
      t.row(p.address(), s.getRole(), s.getTerm(), s.getCommitIndex(), s.getAppliedIndex(), note);
    }
    t.print(out);
  }
}
