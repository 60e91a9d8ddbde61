package io.sluice.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TimesChangeTest {
  private static final long NOW = TimesChange.UTIME_NOW;
  private static final long OMIT = TimesChange.UTIME_OMIT;
  private static final long CLOCK_MS = 1_700_000_000_123L;

  @Test
  void bothNowIsATouchOnTheMastersClock() {
    TimesChange c = TimesChange.of(0, NOW, 0, NOW, CLOCK_MS);
    assertTrue(c.touch());
    assertFalse(c.none());
  }

  @Test
  void explicitTimesBecomeMilliseconds() {
    // touch -d @1000.5 -m: atime omitted.
    TimesChange c = TimesChange.of(0, OMIT, 1000, 500_000_000, CLOCK_MS);
    assertEquals(new TimesChange(false, 1_000_500, -1), c);
    assertEquals(new TimesChange(false, 7000, 9000), TimesChange.of(9, 0, 7, 0, CLOCK_MS));
  }

  @Test
  void oneNowAndOneExplicitUsesThisHostsClockForNow() {
    assertEquals(new TimesChange(false, 5000, CLOCK_MS), TimesChange.of(0, NOW, 5, 0, CLOCK_MS));
  }

  @Test
  void bothOmittedChangesNothing() {
    assertTrue(TimesChange.of(0, OMIT, 0, OMIT, CLOCK_MS).none());
  }

  @Test
  void timesBeforeTheEpochAreClampedNotTakenForOmitted() {
    assertEquals(new TimesChange(false, 0, 0), TimesChange.of(-10, 0, -1, 0, CLOCK_MS));
  }
}
