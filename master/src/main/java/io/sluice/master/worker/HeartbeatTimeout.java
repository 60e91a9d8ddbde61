package io.sluice.master.worker;

import java.time.Clock;
import java.time.Duration;

/**
 * When a worker counts as lost: once silent for longer than the timeout. Time comes from the clock given, so tests
 * move it by hand. Immutable; the {@link WorkerState} it reads is guarded by the {@link WorkerRegistry}'s lock.
 */
final class HeartbeatTimeout {
  private final Clock clock;
  private final long timeoutMs;

  HeartbeatTimeout(Clock clock, Duration timeout) {
    this.clock = clock;
    this.timeoutMs = timeout.toMillis();
  }

  long now() {
    return clock.millis();
  }

  Duration timeout() {
    return Duration.ofMillis(timeoutMs);
  }

  /** Whether {@code w} has been silent too long at {@code now}, whether or not it was already marked lost. */
  boolean expired(WorkerState w, long now) {
    return now - w.lastHeartbeatMs > timeoutMs;
  }

  /** Whether {@code w} counts as live at {@code now}: not marked lost, and not silent too long since. */
  boolean live(WorkerState w, long now) {
    return w.live && !expired(w, now);
  }
}
