package io.sluice.master.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.sluice.common.proto.Status;
import io.sluice.master.namespace.InodeIdAllocator;
import io.sluice.master.namespace.LeaderContext;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.RequestStamp;
import io.sluice.master.store.NamespaceStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetriedRequestsTest {
  @TempDir
  Path dir;

  @Test
  void aRetryOfACallInFlightWaitsForItInsteadOfRunningAgain() throws Exception {
    try (NamespaceStore store = NamespaceStore.open(dir, "root")) {
      Clock clock = Clock.fixed(Instant.ofEpochMilli(1_000_000), ZoneOffset.UTC);
      RetriedRequests retried = new RetriedRequests(new LeaderContext(store, new InodeIdAllocator(
          store::nextInodeId), clock, 1024), Duration.ofMinutes(10));
      AtomicInteger runs = new AtomicInteger();
      AtomicReference<RequestStamp> stamp = new AtomicReference<>();
      CompletableFuture<ApplyResult> proposal = new CompletableFuture<>();
      RetriedRequests.Mutation mutation = s -> {
        runs.incrementAndGet();
        stamp.set(s);
        return proposal;
      };
      CompletableFuture<ApplyResult> first = retried.run("c", 5, mutation);
      CompletableFuture<ApplyResult> retry = retried.run("c", 5, mutation);
      assertEquals(1, runs.get(), "the retry joined the first attempt");
      assertFalse(retry.isDone());
      ApplyResult ok = ApplyResult.newBuilder().setStatus(Status.OK).build();
      proposal.complete(ok);
      assertEquals(ok, first.get());
      assertEquals(ok, retry.get());

      assertNotNull(stamp.get());
      assertEquals(1_000_000 - Duration.ofMinutes(10).toMillis(), stamp.get().getExpireBeforeMs());
      retried.run("c", 0, mutation).complete(ok);
      assertNull(stamp.get(), "an unnamed call is not stamped");
      assertEquals(2, runs.get());
    }
  }
}
