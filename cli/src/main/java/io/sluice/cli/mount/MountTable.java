package io.sluice.cli.mount;

import io.sluice.cli.DurationConverter;
import io.sluice.cli.JsonOutput;
import io.sluice.client.Mount;
import io.sluice.common.proto.GetMountsResponse;
import io.sluice.common.proto.MountInfo;
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

  /**
   * The mounts as one {@link GetMountsResponse} in JSON, option values that may be secrets masked as in the table;
   * a sync interval of never is {@code -1}, as the protocol carries it.
   */
  static String json(List<Mount> mounts) {
    GetMountsResponse.Builder r = GetMountsResponse.newBuilder();
    for (Mount m : mounts) {
      MountInfo.Builder b = r.addMountsBuilder().setMountId(m.id()).setPath(m.path())
          .setUfsUri(m.ufsUri().toString()).setReadOnly(m.readOnly()).setReplicas(m.replicas())
          .setSyncIntervalMs(m.neverSyncs() ? -1 : m.syncInterval().toMillis());
      new TreeMap<>(m.options()).forEach((k, v) -> b.putOptions(k, SecretMask.value(k, v)));
    }
    return JsonOutput.of(r);
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
