package io.sluice.cli;

import io.sluice.client.MountOptions;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The one way the CLI reads and prints a duration: a whole number and a unit ({@code 500ms}, {@code 30s}, {@code 5m},
 * {@code 1h}, {@code 7d}), or {@code never}, which is {@link MountOptions#NEVER} (the infinite duration). A bad value
 * is a usage error (exit 2), naming what is accepted.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
  private static final Pattern FORM = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  /** @throws TypeConversionException when {@code text} is not a duration as above */
  public static Duration parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("never")) {
      return MountOptions.NEVER;
    }
    Matcher m = FORM.matcher(t);
    if (!m.matches()) {
      throw new TypeConversionException("'" + text + "' is not a duration (e.g. 500ms, 30s, 5m, 1h, 7d, never)");
    }
    try {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    } catch (ArithmeticException | NumberFormatException e) {
      throw new TypeConversionException("'" + text + "' is too long a duration; use never");
    }
  }

  /** {@code d} in the largest unit that shows it exactly ({@code 90s}, {@code 5m}, {@code 1500ms}), or never. */
  public static String format(Duration d) {
    if (d.equals(MountOptions.NEVER)) {
      return "never";
    }
    long ms = d.toMillis();
    long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L};
    String[] units = {"d", "h", "m", "s"};
    for (int i = 0; i < sizes.length; i++) {
      if (ms != 0 && ms % sizes[i] == 0) {
        return ms / sizes[i] + units[i];
      }
    }
    return ms + "ms";
  }
}
