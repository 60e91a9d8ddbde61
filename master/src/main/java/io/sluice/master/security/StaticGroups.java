package io.sluice.master.security;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Parses {@link SecurityKeys#STATIC_GROUPS}: {@code user=g1,g2;user2=}. */
final class StaticGroups {
  private final Map<String, List<String>> groups;

  private StaticGroups(Map<String, List<String>> groups) {
    this.groups = groups;
  }

  /** @throws IllegalArgumentException for an entry without {@code =} or with an empty user */
  static StaticGroups parse(String spec) {
    Map<String, List<String>> out = new HashMap<>();
    for (String entry : spec.split(";")) {
      String e = entry.trim();
      if (e.isEmpty()) {
        continue;
      }
      int eq = e.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("sluice.security.groups.static: '" + e + "' is not user=group,...");
      }
      List<String> gs = Arrays.stream(e.substring(eq + 1).split(",")).map(String::trim)
          .filter(g -> !g.isEmpty()).toList();
      out.put(e.substring(0, eq).trim(), gs);
    }
    return new StaticGroups(out);
  }

  Optional<List<String>> of(String user) {
    return Optional.ofNullable(groups.get(user));
  }
}
