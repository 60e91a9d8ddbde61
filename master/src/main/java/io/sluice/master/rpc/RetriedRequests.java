package io.sluice.master.rpc;

import io.sluice.common.rpc.RpcException;
import io.sluice.master.namespace.LeaderContext;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.RequestStamp;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The leader's half of applying a retried mutation once (DESIGN §3). A client names each logical call with its
 * client id and a request id that its retries repeat. A retry of a call still in flight on this leader waits for the
 * first attempt's outcome; a retry of a call already applied (here, or by a leader before a failover) gets the
 * outcome recorded in the store by apply. Only otherwise does the mutation run, its entry stamped so that apply
 * records the outcome, and drops records older than the expiry.
 */
final class RetriedRequests {
  /** A mutation as the leader runs it: given its stamp (null when not deduplicated), the future outcome. */
  interface Mutation {
    CompletableFuture<ApplyResult> run(RequestStamp stamp) throws RpcException;
  }

  private record Key(String clientId, long requestId) {}

  private final ConcurrentMap<Key, CompletableFuture<ApplyResult>> inFlight = new ConcurrentHashMap<>();
  private final LeaderContext ctx;
  private final Duration expiry;

  /** @param expiry how long a recorded outcome answers retries; a client retries for far less than this */
  RetriedRequests(LeaderContext ctx, Duration expiry) {
    this.ctx = ctx;
    this.expiry = expiry;
  }

  CompletableFuture<ApplyResult> run(String clientId, long requestId, Mutation mutation) {
    if (requestId == 0 || clientId.isEmpty()) {
      return attempt(mutation, null);
    }
    Key key = new Key(clientId, requestId);
    CompletableFuture<ApplyResult> mine = new CompletableFuture<>();
    CompletableFuture<ApplyResult> first = inFlight.putIfAbsent(key, mine);
    if (first != null) {
      return first;
    }
    // Apply records the outcome before the proposal's future completes, so once a call left inFlight its record
    // is in the store: no retry falls between the two.
    Optional<ApplyResult> recorded = ctx.store().reader().requestResult(clientId, requestId);
    long now = ctx.clock().millis();
    CompletableFuture<ApplyResult> outcome = recorded.isPresent() ? CompletableFuture.completedFuture(recorded.get())
        : attempt(mutation, RequestStamp.newBuilder().setClientId(clientId).setRequestId(requestId)
            .setTimeMs(now).setExpireBeforeMs(now - expiry.toMillis()).build());
    outcome.whenComplete((r, e) -> {
      inFlight.remove(key, mine);
      if (e != null) {
        mine.completeExceptionally(e);
      } else {
        mine.complete(r);
      }
    });
    return mine;
  }

  private static CompletableFuture<ApplyResult> attempt(Mutation mutation, RequestStamp stamp) {
    try {
      return mutation.run(stamp);
    } catch (RpcException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
