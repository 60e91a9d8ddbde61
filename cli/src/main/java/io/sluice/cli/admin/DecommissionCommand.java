package io.sluice.cli.admin;

import io.sluice.cli.CliException;
import io.sluice.cli.JsonOutput;
import io.sluice.cli.Stdout;
import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.proto.DecommissionState;
import io.sluice.common.proto.DecommissionWorkerRequest;
import io.sluice.common.proto.DecommissionWorkerResponse;
import io.sluice.common.proto.MasterMethod;
import io.sluice.common.proto.WorkerSummary;
import io.sluice.common.rpc.FailoverRpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcOptions;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sluice admin decommission WORKER [--wait | --status | --cancel]}: drains a worker before it is stopped.
 * The leader places no new blocks or load tasks on it and has other workers copy every block it holds; once each
 * is on another live worker the worker is DECOMMISSIONED and may be stopped. {@code --wait} follows the drain to
 * its end, printing the blocks left as they change ({@code --timeout} bounds the wait). Exit 0 when done (with
 * --wait: decommissioned), 1 when the call failed, the wait timed out or the worker went back in service while
 * waiting, 2 for a usage error.
 *
 * <p>The state is the leader's soft state: a new leader after a failover knows the worker as in service, and the
 * command must be run again (the blocks already copied count).
 */
@Command(name = "decommission", description = "Drain a worker's blocks to other workers so it can be stopped "
    + "safely; --cancel returns it to service.")
public final class DecommissionCommand implements Callable<Integer> {
  @Mixin
  AdminContext ctx;

  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "WORKER", description = "Worker id or host:port, as `sluice admin workers` lists it.")
  String worker;

  @Option(names = "--cancel", description = "Return the worker to service (blocks copied so far stay).")
  boolean cancel;

  @Option(names = "--status", description = "Only show the decommission's state and the blocks left.")
  boolean status;

  @Option(names = "--wait", description = "Show progress until the worker is decommissioned.")
  boolean await;

  @Option(names = "--poll", paramLabel = "DURATION", defaultValue = "1s",
      converter = io.sluice.cli.DurationConverter.class,
      description = "With --wait: how often to ask the leader (default: ${DEFAULT-VALUE}).")
  Duration poll;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "0s",
      converter = io.sluice.cli.DurationConverter.class,
      description = "With --wait: give up (exit 1) after this long; 0 waits as long as it takes (default).")
  Duration timeout;

  @Override
  public Integer call() throws InterruptedException {
    if ((cancel ? 1 : 0) + (status ? 1 : 0) + (await ? 1 : 0) > 1) {
      throw new ParameterException(spec.commandLine(), "--cancel, --status and --wait exclude each other");
    }
    DecommissionWorkerRequest.Builder req = named(worker).setCancel(cancel).setStatusOnly(status);
    SluiceConf conf = ctx.conf();
    PrintWriter out = Stdout.writer();
    try (FailoverRpcClient master = new FailoverRpcClient(
        FailoverRpcClient.parseAddresses(conf.get(CommonKeys.MASTER_ADDRESSES)), RpcOptions.from(conf),
        Duration.ofSeconds(30))) {
      DecommissionWorkerResponse r = ask(master, req.build());
      if (await) {
        r = follow(master, req.setStatusOnly(true).build(), r, out);
      }
      print(r, out);
      out.flush();
      if (await && r.getState() != DecommissionState.DECOMMISSIONED) {
        throw new CliException(worker, "back in service before the drain ended (cancelled, or a new leader that "
            + "does not know of the decommission: run the command again)");
      }
      return 0;
    }
  }

  /**
   * Asks again every poll (on a timer thread, at a human pace) until the worker is decommissioned or back in
   * service, printing the blocks left whenever they or the reason for waiting change.
   */
  private DecommissionWorkerResponse follow(FailoverRpcClient master, DecommissionWorkerRequest statusOnly,
      DecommissionWorkerResponse first, PrintWriter out) throws InterruptedException {
    Progress progress = new Progress(out, System.nanoTime() + timeout.toNanos());
    if (progress.settled(first)) {
      return first;
    }
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "decommission-poll");
      t.setDaemon(true);
      return t;
    });
    long pollMs = Math.max(10, poll.toMillis());
    timer.scheduleWithFixedDelay(() -> {
      try {
        progress.settled(ask(master, statusOnly));
      } catch (RuntimeException e) {
        progress.done.completeExceptionally(e);
      }
    }, pollMs, pollMs, TimeUnit.MILLISECONDS);
    try {
      return progress.done.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new CliException(worker, e.getCause());
    } finally {
      timer.shutdownNow();
    }
  }

  /** What the wait has shown so far, and its outcome once the drain ended or the time ran out. */
  private final class Progress {
    final CompletableFuture<DecommissionWorkerResponse> done = new CompletableFuture<>();
    private final PrintWriter out;
    private final long deadline;
    private long shown = -1;
    private String stuck = "";

    Progress(PrintWriter out, long deadline) {
      this.out = out;
      this.deadline = deadline;
    }

    /** Shows {@code r}; true (with {@link #done} completed) once the wait is over. */
    boolean settled(DecommissionWorkerResponse r) {
      if (r.getState() != DecommissionState.DECOMMISSIONING) {
        done.complete(r);
        return true;
      }
      WorkerSummary w = r.getWorker();
      if (!ctx.output.json() && (r.getRemainingBlocks() != shown || !w.getDecommissionStuck().equals(stuck))) {
        shown = r.getRemainingBlocks();
        stuck = w.getDecommissionStuck();
        out.printf("worker %d: %d blocks left to copy%s%n", w.getWorkerId(), shown,
            stuck.isEmpty() ? "" : " (waiting: " + stuck + ")");
        out.flush();
      }
      if (!timeout.isZero() && System.nanoTime() - deadline > 0) {
        done.completeExceptionally(new CliException(worker, "still decommissioning after " + timeout.toSeconds()
            + " s, " + r.getRemainingBlocks() + " blocks left to copy" + (stuck.isEmpty() ? ""
            : " (waiting: " + stuck + ")")));
        return true;
      }
      return false;
    }
  }

  private DecommissionWorkerResponse ask(FailoverRpcClient master, DecommissionWorkerRequest req) {
    try {
      return master.call(MasterMethod.DECOMMISSION_WORKER_VALUE, req, DecommissionWorkerResponse.parser());
    } catch (RpcException e) {
      // The master's message names the worker and the cause; the file-system wording of the status would not fit.
      throw new CliException(e.getMessage());
    }
  }

  /** A worker id (digits) or {@code host:port}. */
  private DecommissionWorkerRequest.Builder named(String name) {
    DecommissionWorkerRequest.Builder b = DecommissionWorkerRequest.newBuilder();
    if (name.matches("\\d+")) {
      return b.setWorkerId(Long.parseLong(name));
    }
    if (name.matches("[^:\\s]+:\\d+")) {
      return b.setAddress(name);
    }
    throw new ParameterException(spec.commandLine(), "WORKER must be a worker id or host:port, not '" + name + "'");
  }

  private void print(DecommissionWorkerResponse r, PrintWriter out) {
    WorkerSummary w = r.getWorker();
    String address = w.getAddress().getHost() + ":" + w.getAddress().getDataPort();
    boolean safe = r.getState() == DecommissionState.DECOMMISSIONED;
    if (ctx.output.json()) {
      out.println(JsonOutput.object().put("workerId", w.getWorkerId()).put("address", address)
          .put("state", r.getState().name()).put("remainingBlocks", r.getRemainingBlocks())
          .put("stuck", w.getDecommissionStuck()).put("safeToStop", safe).toString());
      return;
    }
    switch (r.getState()) {
      case IN_SERVICE -> out.printf("worker %d (%s) is in service%n", w.getWorkerId(), address);
      case DECOMMISSIONED -> out.printf("worker %d (%s) is decommissioned: every block it held is on another "
          + "worker; it can be stopped safely%n", w.getWorkerId(), address);
      default -> out.printf("worker %d (%s) is decommissioning: %d blocks left to copy%s%n", w.getWorkerId(),
          address, r.getRemainingBlocks(), w.getDecommissionStuck().isEmpty() ? ""
              : "; waiting: " + w.getDecommissionStuck());
    }
  }
}
