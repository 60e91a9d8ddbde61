package io.sluice.client;

import java.time.Duration;

/**
 * The one place a mount's sync interval crosses the wire: MountRequest and MountInfo carry milliseconds, -1 for
 * never ({@link MountOptions#NEVER} here) and 0 for a check on every access; a request without the field asks for
 * the master's default.
 */
final class SyncIntervals {
  private static final long NEVER_MS = -1;

  private SyncIntervals() {}

  /**
   * @throws IllegalArgumentException for a negative interval, or one too long for milliseconds (except NEVER)
   */
  static long toMillis(Duration d) {
    if (d.equals(MountOptions.NEVER)) {
      return NEVER_MS;
    }
    long ms;
    try {
      ms = d.toMillis();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("sync interval " + d + " is too long; use MountOptions.NEVER", e);
    }
    if (d.isNegative()) {
      throw new IllegalArgumentException("sync interval " + d + " is negative");
    }
    return ms;
  }

  /** A MountInfo's interval: any negative value means never. */
  static Duration fromMillis(long ms) {
    return ms < 0 ? MountOptions.NEVER : Duration.ofMillis(ms);
  }
}
