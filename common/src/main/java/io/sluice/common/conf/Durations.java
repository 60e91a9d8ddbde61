package io.sluice.common.conf;

import java.time.Duration;
import java.util.Locale;

/** Parses durations the way config files write them: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 7d}. */
public final class Durations {
  private Durations() {}

  /**
   * Parses a non-negative duration; a bare number means milliseconds.
   *
   * @throws IllegalArgumentException on a malformed or negative duration
   */
  public static Duration parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    int end = s.length();
    while (end > 0 && Character.isLetter(s.charAt(end - 1))) {
      end--;
    }
    String number = s.substring(0, end).trim();
    if (number.isEmpty()) {
      throw new IllegalArgumentException("missing number in duration '" + text + "'");
    }
    long v = Long.parseLong(number);
    if (v < 0) {
      throw new IllegalArgumentException("negative duration '" + text + "'");
    }
    return switch (s.substring(end)) {
      case "", "ms" -> Duration.ofMillis(v);
      case "us" -> Duration.ofNanos(v * 1000);
      case "s" -> Duration.ofSeconds(v);
      case "m", "min" -> Duration.ofMinutes(v);
      case "h" -> Duration.ofHours(v);
      case "d" -> Duration.ofDays(v);
      default -> throw new IllegalArgumentException("unknown duration unit in '" + text + "'");
    };
  }
}
