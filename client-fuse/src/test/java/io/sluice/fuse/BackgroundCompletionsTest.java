package io.sluice.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BackgroundCompletionsTest {
  /** A completion that runs until {@link #finish}. */
  private static final class Held implements BackgroundCompletions.Completion {
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch finish = new CountDownLatch(1);

    @Override
    public void run() {
      started.countDown();
      try {
        finish.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Runs {@code wait} on another thread; the future ends when the wait returns. */
  private static CompletableFuture<Void> waiting(Runnable wait) {
    return CompletableFuture.runAsync(wait);
  }

  @Test
  void aPathWaitsForItsOwnCompletionAndNoOther() throws Exception {
    try (BackgroundCompletions c = new BackgroundCompletions(4)) {
      Held f = new Held();
      assertTrue(c.submit("/d/f", f));
      assertTrue(f.started.await(10, TimeUnit.SECONDS));
      c.await("/d/g");
      c.await("/d/f2");
      c.awaitUnder("/d2");
      c.awaitUnder("/d/f/x");
      CompletableFuture<Void> same = waiting(() -> c.await("/d/f"));
      CompletableFuture<Void> dir = waiting(() -> c.awaitUnder("/d"));
      CompletableFuture<Void> root = waiting(() -> c.awaitUnder("/"));
      Thread.sleep(50);  // long enough for a wait that does not hold to return
      assertFalse(same.isDone() || dir.isDone() || root.isDone());
      f.finish.countDown();
      CompletableFuture.allOf(same, dir, root).get(10, TimeUnit.SECONDS);
      assertEquals(0, c.running());
    }
  }

  @Test
  void beyondItsLimitItTakesNothing() throws Exception {
    try (BackgroundCompletions c = new BackgroundCompletions(2)) {
      Held a = new Held();
      Held b = new Held();
      assertTrue(c.submit("/a", a));
      assertTrue(c.submit("/b", b));
      assertFalse(c.submit("/c", () -> { }), "two run: the caller completes this one itself");
      a.finish.countDown();
      c.await("/a");
      assertTrue(c.submit("/c", () -> { }), "a slot came free");
      b.finish.countDown();
    }
    try (BackgroundCompletions none = new BackgroundCompletions(0)) {
      assertFalse(none.submit("/a", () -> { }));
    }
  }

  @Test
  void closingWaitsForEveryCompletion() throws Exception {
    BackgroundCompletions c = new BackgroundCompletions(2);
    Held a = new Held();
    assertTrue(c.submit("/x/a", a));
    CompletableFuture<Void> closed = waiting(c::close);
    Thread.sleep(50);
    assertFalse(closed.isDone());
    a.finish.countDown();
    closed.get(10, TimeUnit.SECONDS);
    assertEquals(0, c.running());
  }

  @Test
  void aFailingCompletionStillFreesItsPathAndSlot() throws Exception {
    try (BackgroundCompletions c = new BackgroundCompletions(1)) {
      assertTrue(c.submit("/f", () -> {
        throw new IllegalStateException("boom");
      }));
      c.await("/f");
      assertTrue(c.submit("/g", () -> { }));
    }
  }
}
