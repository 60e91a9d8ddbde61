package io.sluice.cli;

import java.util.Locale;

/** How the CLI shows a byte count to people: {@code 512B}, {@code 1.5KiB}, {@code 4.0GiB} (binary units). */
public final class SizeText {
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

  private SizeText() {}

  /** {@code n} bytes in the largest binary unit below it, one decimal. */
  public static String of(long n) {
    double v = n;
    int u = 0;
    while (Math.abs(v) >= 1024 && u < UNITS.length - 1) {
      v /= 1024;
      u++;
    }
    return u == 0 ? n + "B" : String.format(Locale.ROOT, "%.1f%s", v, UNITS[u]);
  }

  /** {@link #of} when {@code human}, else the exact number. */
  public static String of(long n, boolean human) {
    return human ? of(n) : Long.toString(n);
  }

  /** {@code used} of {@code capacity} as a percentage, {@code -} when there is no capacity. */
  public static String percent(long used, long capacity) {
    return capacity <= 0 ? "-" : String.format(Locale.ROOT, "%.0f%%", 100.0 * used / capacity);
  }
}
