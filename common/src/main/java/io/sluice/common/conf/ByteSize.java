package io.sluice.common.conf;

import java.util.Locale;

/** Parses and prints byte sizes the way config files write them: {@code 64m}, {@code 4g}, {@code 512k}, {@code 100}. */
public final class ByteSize {
  private ByteSize() {}

  /**
   * Parses a size with an optional binary suffix {@code k m g t} (also {@code kb}, {@code mib}, ...; any case).
   *
   * @throws IllegalArgumentException on a malformed, negative or overflowing size
   */
  public static long parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    int end = s.length();
    while (end > 0 && Character.isLetter(s.charAt(end - 1))) {
      end--;
    }
    String number = s.substring(0, end).trim();
    String unit = s.substring(end);
    int shift = switch (unit) {
      case "", "b" -> 0;
      case "k", "kb", "kib" -> 10;
      case "m", "mb", "mib" -> 20;
      case "g", "gb", "gib" -> 30;
      case "t", "tb", "tib" -> 40;
      default -> throw new IllegalArgumentException("unknown size unit '" + unit + "'");
    };
    if (number.isEmpty()) {
      throw new IllegalArgumentException("missing number in size '" + text + "'");
    }
    long value = Long.parseLong(number);
    if (value < 0 || (shift > 0 && value > (Long.MAX_VALUE >> shift))) {
      throw new IllegalArgumentException("size out of range: '" + text + "'");
    }
    return value << shift;
  }

  /** Formats {@code bytes} with the largest exact binary unit ({@code 67108864} -> {@code 64m}). */
  public static String format(long bytes) {
    String[] units = {"", "k", "m", "g", "t"};
    int i = 0;
    long v = bytes;
    while (i < units.length - 1 && v != 0 && (v & 1023) == 0) {
      v >>= 10;
      i++;
    }
    return v + units[i];
  }
}
