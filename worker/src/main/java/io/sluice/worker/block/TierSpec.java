package io.sluice.worker.block;

import io.sluice.common.conf.ByteSize;
import java.nio.file.Path;

/**
 * One cache tier from {@code sluice.worker.tiers}: {@code ALIAS:/dir:capacity}.
 *
 * @param alias MEM, SSD or HDD
 * @param dir where its blocks live
 * @param capacity bytes it may hold
 */
public record TierSpec(String alias, Path dir, long capacity) {
  /**
   * Parses the key's value. Only one tier is supported until tiers and eviction land.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static TierSpec parseSingle(String value) {
    String[] tiers = value.split(",");
    if (tiers.length != 1) {
      throw new IllegalArgumentException("sluice.worker.tiers: only one tier is supported yet, got '" + value + "'");
    }
    String t = tiers[0].trim();
    int first = t.indexOf(':');
    int last = t.lastIndexOf(':');
    if (first <= 0 || last == first || last == t.length() - 1) {
      throw new IllegalArgumentException("sluice.worker.tiers: expected ALIAS:/dir:capacity, got '" + t + "'");
    }
    String alias = t.substring(0, first);
    if (!alias.equals("MEM") && !alias.equals("SSD") && !alias.equals("HDD")) {
      throw new IllegalArgumentException("sluice.worker.tiers: tier alias must be MEM, SSD or HDD, got '" + alias
          + "'");
    }
    long capacity = ByteSize.parse(t.substring(last + 1));
    if (capacity <= 0) {
      throw new IllegalArgumentException("sluice.worker.tiers: capacity must be positive in '" + t + "'");
    }
    return new TierSpec(alias, Path.of(t.substring(first + 1, last)), capacity);
  }
}
