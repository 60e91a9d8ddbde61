package io.sluice.cli.mount;

import io.sluice.cli.DurationConverter;
import io.sluice.client.Mount;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Prints mounts as a table with aligned columns, option values that may be secrets masked ({@link SecretMask}). */
final class MountTable {
  private static final List<String> HEADER =
      List.of("PATH", "UFS URI", "READ-ONLY", "SYNC INTERVAL", "REPLICAS", "OPTIONS");

  private MountTable() {}

  static void print(List<Mount> mounts, PrintWriter out) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(HEADER);
    for (Mount m : mounts) {
      rows.add(List.of(m.path(), m.ufsUri().toString(), m.readOnly() ? "yes" : "no",
          DurationConverter.format(m.syncInterval()), Integer.toString(m.replicas()), options(m.options())));
    }
    int[] widths = new int[HEADER.size()];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(i == row.size() - 1 ? row.get(i) : String.format("%-" + widths[i] + "s  ", row.get(i)));
      }
      out.println(line.toString().stripTrailing());
    }
  }

  /** {@code k1=v1,k2=****} in key order; {@code -} when there are none. */
  static String options(Map<String, String> options) {
    if (options.isEmpty()) {
      return "-";
    }
    return new TreeMap<>(options).entrySet().stream()
        .map(e -> e.getKey() + "=" + SecretMask.value(e.getKey(), e.getValue()))
        .collect(Collectors.joining(","));
  }
}
