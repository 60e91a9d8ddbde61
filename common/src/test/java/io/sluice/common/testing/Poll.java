package io.sluice.common.testing;

import java.time.Duration;

/**
 * Waits for state that another thread or process reaches in its own time (a lease closed without waiting for the
 * answer, a metric a server updates), by polling with a deadline; for time a test controls, pass a fake clock
 * instead (STYLE 18).
 */
public final class Poll {
  /** Checked every 10 ms: short beside the waits it replaces, long enough not to load a 2-core machine. */
  private static final long INTERVAL_MS = 10;

  /** A condition to poll; may throw (a scrape, a call), which fails the wait at once. */
  public interface Condition {
    boolean holds() throws Exception;
  }

  private Poll() {}

  /** Returns once {@code condition} holds; fails with {@code what} when {@code timeout} passes first. */
  public static void until(String what, Duration timeout, Condition condition) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + timeout + ": " + what);
      }
      Thread.sleep(INTERVAL_MS);
    }
  }
}
