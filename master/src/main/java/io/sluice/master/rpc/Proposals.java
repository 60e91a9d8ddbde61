package io.sluice.master.rpc;

import com.google.protobuf.Message;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.ServerCall;
import io.sluice.master.journal.Journal;
import io.sluice.master.namespace.LeaderContext;
import io.sluice.master.namespace.Prepared;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.worker.WorkerRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * Takes a namespace op's leader-side decision through the journal and answers the call with the outcome (DESIGN §3):
 * the apply result's status is the answer, and blocks the op released are handed to the worker registry for
 * removal. Holds no mutable state of its own; deduplication of retries is {@link RetriedRequests}'s (thread-safe).
 */
final class Proposals {
  /** A namespace op's leader-side decision. */
  interface PrepareStep {
    Prepared run() throws RpcException;
  }

  /** A change made in the UFS before the namespace records it. */
  interface UfsStep {
    void run() throws RpcException;
  }

  private final Journal journal;
  private final WorkerRegistry registry;
  private final RetriedRequests retried;

  /** @param retryExpiry how long the outcome of a deduplicated mutation answers its retries */
  Proposals(Journal journal, LeaderContext ctx, WorkerRegistry registry, Duration retryExpiry) {
    this.journal = journal;
    this.registry = registry;
    this.retried = new RetriedRequests(ctx, retryExpiry);
  }

  /** Decides a mutation on the leader, unless it is the retry of one in flight or applied (see RetriedRequests). */
  void mutate(ServerCall call, PrepareStep prepare, Function<ApplyResult, Message> response) {
    reply(call, propose(call, prepare), response);
  }

  /** As {@link #mutate}, for a caller that acts on the outcome before answering. */
  CompletableFuture<ApplyResult> propose(ServerCall call, PrepareStep prepare) {
    return retried.run(call.clientId(), call.requestId(), stamp -> {
      Prepared p = prepare.run();
      if (p.answer() != null) {
        return CompletableFuture.completedFuture(p.answer());
      }
      return journal.propose(stamp == null ? p.entry() : p.entry().toBuilder().setRequest(stamp).build());
    });
  }

  /**
   * A decision that changes the namespace goes to the UFS first when it is under a mount (DESIGN §4): {@code ufs}
   * runs only for a decision to propose, and its failure fails the call with nothing proposed.
   */
  static Prepared throughUfs(Prepared p, UfsStep ufs) throws RpcException {
    if (p.entry() != null) {
      ufs.run();
    }
    return p;
  }

  /**
   * Answers {@code call} with the outcome of {@code p}: its immediate answer, or the result of proposing its entry.
   * An error status fails the call with it; OK answers {@code response(result)} after queueing the removal of any
   * blocks the op released.
   */
  void answer(ServerCall call, Prepared p, Function<ApplyResult, Message> response) {
    reply(call, outcome(p), response);
  }

  /** The outcome of {@code p}: its immediate answer, or the result of proposing its entry. */
  CompletableFuture<ApplyResult> outcome(Prepared p) {
    return p.answer() != null ? CompletableFuture.completedFuture(p.answer()) : journal.propose(p.entry());
  }

  /** Answers {@code call} once {@code f} completes. */
  void reply(ServerCall call, CompletableFuture<ApplyResult> f, Function<ApplyResult, Message> response) {
    f.whenComplete((r, error) -> {
      try {
        if (error != null) {
          call.fail(error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
        } else if (r.getStatus() != Status.OK) {
          call.fail(r.getStatus(), r.getMessage());
        } else {
          if (r.getRemovedBlockIdsCount() > 0) {
            registry.removeBlocks(r.getRemovedBlockIdsList());
          }
          call.respond(response.apply(r));
        }
      } catch (RuntimeException e) {
        call.fail(e);  // never leave the caller waiting for its timeout
      }
    });
  }
}
