package io.sluice.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Settings the bench scripts pass through as {@code key=value} arguments. */
final class KeyValues {
  private KeyValues() {}

  /**
   * The settings in {@code args}, in order (a later one for the same key wins).
   *
   * @throws IllegalArgumentException naming an argument that is not {@code key=value}
   */
  static Map<String, String> parse(List<String> args) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String kv : args) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("not key=value: " + kv);
      }
      out.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    return out;
  }

  /** The settings in {@code args} as key, value, key, value ..., as {@link BenchCluster} takes them. */
  static List<String> pairs(List<String> args) {
    List<String> out = new ArrayList<>();
    parse(args).forEach((k, v) -> {
      out.add(k);
      out.add(v);
    });
    return out;
  }
}
