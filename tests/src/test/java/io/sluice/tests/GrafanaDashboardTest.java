package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.client.SluiceClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.fuse.FuseOpMetrics;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code conf/grafana/sluice-dashboard.json} queries only metrics Sluice exports: every metric name in a panel's
 * expression is a sample name on the {@code /metrics} page of a real master and worker (after some traffic, so the
 * per-call series exist) or of a FUSE mount's meters. A renamed meter breaks this test, not an operator's dashboard.
 */
class GrafanaDashboardTest {
  /** Metric names in PromQL: Sluice's own and the JVM/process meters; functions and labels never start so. */
  private static final Pattern METRIC = Pattern.compile("\\b(?:sluice|jvm|process|system)_[a-zA-Z0-9_]+");

  @TempDir
  Path dir;

  @Test
  void everyQueriedMetricIsExported() throws Exception {
    List<String> exprs = expressions(dashboard());
    assertTrue(exprs.size() >= 20, "too few panel queries: " + exprs);
    Set<String> exported = exportedNames();
    Set<String> missing = new TreeSet<>();
    Set<String> used = new HashSet<>();
    for (String expr : exprs) {
      Matcher m = METRIC.matcher(expr);
      boolean any = false;
      while (m.find()) {
        any = true;
        used.add(m.group());
        if (!exported.contains(m.group())) {
          missing.add(m.group() + "   in   " + expr);
        }
      }
      assertTrue(any, "a query naming no Sluice or JVM metric: " + expr);
    }
    assertTrue(missing.isEmpty(), "the dashboard queries metrics nobody exports:\n  " + String.join("\n  ", missing)
        + "\nexported:\n  " + String.join("\n  ", exported));
    assertTrue(used.stream().anyMatch(n -> n.startsWith("sluice_fuse_")), "no FUSE panel");
  }

  @Test
  void panelsUseTheDatasourceVariable() throws Exception {
    Struct d = dashboard();
    List<Value> vars = d.getFieldsOrThrow("templating").getStructValue().getFieldsOrThrow("list").getListValue()
        .getValuesList();
    assertTrue(vars.stream().anyMatch(v -> v.getStructValue().getFieldsOrThrow("name").getStringValue()
        .equals("datasource") && v.getStructValue().getFieldsOrThrow("query").getStringValue().equals("prometheus")),
        "no Prometheus datasource variable");
    Set<Double> ids = new HashSet<>();
    for (Struct panel : panels(d)) {
      assertTrue(ids.add(panel.getFieldsOrThrow("id").getNumberValue()), "duplicate panel id in " + panel);
      if (panel.getFieldsOrThrow("type").getStringValue().equals("row")) {
        continue;
      }
      assertEquals("${datasource}", panel.getFieldsOrThrow("datasource").getStructValue().getFieldsOrThrow("uid")
          .getStringValue(), panel.getFieldsOrThrow("title").getStringValue());
      assertFalse(panel.getFieldsOrThrow("targets").getListValue().getValuesList().isEmpty(),
          panel.getFieldsOrThrow("title").getStringValue());
    }
  }

  private static Struct dashboard() throws Exception {
    Path file = Path.of(System.getProperty("basedir", "."), "..", "conf", "grafana", "sluice-dashboard.json");
    Struct.Builder b = Struct.newBuilder();
    JsonFormat.parser().merge(Files.readString(file), b);
    return b.build();
  }

  /** Every panel, those nested in collapsed rows included. */
  private static List<Struct> panels(Struct dashboard) {
    List<Struct> all = new ArrayList<>();
    for (Value v : dashboard.getFieldsOrThrow("panels").getListValue().getValuesList()) {
      Struct p = v.getStructValue();
      all.add(p);
      if (p.containsFields("panels")) {
        p.getFieldsOrThrow("panels").getListValue().getValuesList().forEach(n -> all.add(n.getStructValue()));
      }
    }
    return all;
  }

  private static List<String> expressions(Struct dashboard) {
    List<String> exprs = new ArrayList<>();
    for (Struct p : panels(dashboard)) {
      ListValue targets = p.containsFields("targets") ? p.getFieldsOrThrow("targets").getListValue()
          : ListValue.getDefaultInstance();
      targets.getValuesList().forEach(t -> exprs.add(t.getStructValue().getFieldsOrThrow("expr").getStringValue()));
    }
    return exprs;
  }

  private static Set<String> awaitGcPause(InetSocketAddress http) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      Set<String> names = Scrape.sampleNames(Scrape.page(http));
      if (names.contains("jvm_gc_pause_seconds_count") || System.nanoTime() > deadline) {
        return names;  // after the deadline the dashboard check names what is missing
      }
      Thread.sleep(50);
    }
  }

  /** Sample names of a real master, worker and the FUSE mount's meters, after traffic of each kind. */
  private Set<String> exportedNames() throws Exception {
    Set<String> names = new TreeSet<>();
    try (LocalCluster cluster = new LocalCluster(dir, "sluice.master.http.port", "0", "sluice.worker.http.port",
        "0")) {
      cluster.startMaster();
      cluster.startWorker();
      try (SluiceClient client = cluster.client()) {
        cluster.awaitWorker(client);
        byte[] data = "dashboard".getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = client.create("/f")) {
          out.write(data);
        }
        try (var in = client.open("/f")) {
          assertEquals(data.length, in.readAllBytes().length);
        }
        try {
          client.getStatus("/missing");
        } catch (RpcException expected) {
          // a call answered NOT_FOUND: the status tag has more than OK
        }
      }
      // GC pauses are timed from the JVM's GC notifications: their series exist only after a collection.
      System.gc();
      names.addAll(awaitGcPause(cluster.masterHttp().orElseThrow()));
      names.addAll(Scrape.sampleNames(Scrape.page(cluster.workerHttp().orElseThrow())));
    }
    PrometheusMeterRegistry fuse = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new FuseOpMetrics(fuse).bindHandles(this, t -> 0);
    names.addAll(Scrape.sampleNames(fuse.scrape()));
    return names;
  }
}
