package io.sluice.worker.block;

import io.sluice.common.conf.ByteSize;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One cache tier from {@code sluice.worker.tiers}. The value is a comma-separated list of tiers, each
 * {@code ALIAS:DIR[;DIR...]} where a {@code DIR} is {@code /path:capacity}:
 *
 * <pre>
 *   MEM:/dev/shm/sluice:4g,SSD:/var/lib/sluice/ssd:100g,HDD:/a:1t;/b:2t
 * </pre>
 *
 * Each directory carries its own capacity because each is usually its own disk; the tier's capacity is their sum.
 * A path may not contain {@code ,} or {@code ;}; it may contain {@code :} (the capacity follows the last one).
 * The order in the value does not matter: tiers are sorted fastest first (MEM, SSD, HDD).
 *
 * @param alias the kind of tier
 * @param dirs its directories, in the order given
 */
public record TierSpec(TierAlias alias, List<DirSpec> dirs) {
  /**
   * One directory of a tier.
   *
   * @param path where its blocks live
   * @param capacity bytes its blocks may occupy
   */
  public record DirSpec(Path path, long capacity) {}

  public TierSpec {
    dirs = List.copyOf(dirs);
  }

  /** The sum of the directories' capacities. */
  public long capacity() {
    return dirs.stream().mapToLong(DirSpec::capacity).sum();
  }

  /**
   * Parses the key's value into tiers, fastest first.
   *
   * @throws IllegalArgumentException naming what is wrong: an unknown alias, a tier given twice, a directory used
   *     twice, a missing or non-positive capacity
   */
  public static List<TierSpec> parse(String value) {
    List<TierSpec> tiers = new ArrayList<>();
    Set<TierAlias> seen = EnumSet.noneOf(TierAlias.class);
    Set<Path> paths = new HashSet<>();
    for (String t : value.split(",")) {
      t = t.trim();
      int colon = t.indexOf(':');
      if (colon <= 0) {
        throw bad("expected ALIAS:/dir:capacity, got '" + t + "'");
      }
      TierAlias alias = alias(t.substring(0, colon));
      if (!seen.add(alias)) {
        throw bad("tier " + alias + " is given twice in '" + value + "'");
      }
      List<DirSpec> dirs = new ArrayList<>();
      for (String d : t.substring(colon + 1).split(";")) {
        DirSpec dir = dir(d.trim(), t);
        if (!paths.add(dir.path().normalize())) {
          throw bad("directory " + dir.path() + " is used twice in '" + value + "'");
        }
        dirs.add(dir);
      }
      tiers.add(new TierSpec(alias, dirs));
    }
    tiers.sort(Comparator.comparing(TierSpec::alias));
    return tiers;
  }

  private static TierAlias alias(String s) {
    try {
      return TierAlias.valueOf(s.trim());
    } catch (IllegalArgumentException e) {
      throw bad("tier alias must be MEM, SSD or HDD, got '" + s + "'");
    }
  }

  private static DirSpec dir(String d, String tier) {
    int last = d.lastIndexOf(':');
    if (last <= 0 || last == d.length() - 1) {
      throw bad("expected /dir:capacity, got '" + d + "' in '" + tier + "'");
    }
    long capacity = ByteSize.parse(d.substring(last + 1));
    if (capacity <= 0) {
      throw bad("capacity must be positive in '" + tier + "'");
    }
    return new DirSpec(Path.of(d.substring(0, last).trim()), capacity);
  }

  private static IllegalArgumentException bad(String what) {
    return new IllegalArgumentException("sluice.worker.tiers: " + what);
  }
}
