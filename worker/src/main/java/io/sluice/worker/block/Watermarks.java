package io.sluice.worker.block;

/**
 * When a tier's eviction starts and stops, as fractions of its capacity: once its used plus reserved bytes pass
 * {@code high}, blocks are evicted until they are at or under {@code low}. The gap keeps a burst of writes from
 * evicting on every block.
 *
 * @param high 0 &lt; high &lt;= 1
 * @param low 0 &lt; low &lt;= high
 */
public record Watermarks(double high, double low) {
  /** DESIGN §5's defaults. */
  public static final Watermarks DEFAULT = new Watermarks(0.95, 0.85);

  public Watermarks {
    if (!(high > 0 && high <= 1 && low > 0 && low <= high)) {
      throw new IllegalArgumentException("watermarks need 0 < low <= high <= 1, got high " + high + ", low " + low);
    }
  }

  /**
   * Parses the two config values.
   *
   * @throws IllegalArgumentException on a value that is not a number or out of range
   */
  public static Watermarks parse(String high, String low) {
    try {
      return new Watermarks(Double.parseDouble(high.trim()), Double.parseDouble(low.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("watermarks must be numbers, got high '" + high + "', low '" + low + "'",
          e);
    }
  }

  long highBytes(long capacity) {
    return (long) (capacity * high);
  }

  long lowBytes(long capacity) {
    return (long) (capacity * low);
  }
}
