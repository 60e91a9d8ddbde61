package io.sluice.cli.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.sluice.cli.CliCluster;
import io.sluice.cli.CliCluster.Result;
import io.sluice.client.MountOptions;
import io.sluice.client.SluiceClient;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.proto.JobStatus;
import io.sluice.common.proto.MasterStatus;
import io.sluice.common.proto.WorkerAddress;
import io.sluice.common.proto.WorkerStatus;
import io.sluice.common.proto.WorkerSummary;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice admin ...} against a real master and worker: tables, JSON, exit codes, a master that is down. */
class AdminCommandsTest {
  @TempDir
  static Path dir;
  static CliCluster cluster;
  static long jobId;

  @BeforeAll
  static void start() throws Exception {
    cluster = new CliCluster(dir);
    cluster.awaitWorker();
    Path ufs = Files.createDirectories(dir.resolve("ufs"));
    Files.write(ufs.resolve("f"), new byte[3000]);
    try (SluiceClient c = cluster.client()) {
      try (OutputStream out = c.create("/cached")) {
        out.write(new byte[5000]);
      }
      c.mount("/ufs", ufs.toUri(), MountOptions.defaults());
      jobId = c.load("/ufs");
      CliCluster.await(() -> {
        try {
          return c.job(jobId).getEndMs() != 0;
        } catch (Exception e) {
          return false;
        }
      }, Duration.ofSeconds(60), "the load job to end");
    }
    // Heartbeats carry the blocks just written and loaded; wait until the leader counts both.
    CliCluster.await(() -> workerSummary().getBlockCount() >= 2, Duration.ofSeconds(30), "2 blocks reported");
  }

  private static WorkerSummary workerSummary() {
    try (SluiceClient c = cluster.client()) {
      return c.clusterInfo().getWorkers(0);
    } catch (Exception e) {
      return WorkerSummary.getDefaultInstance();
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void mastersShowsTheOneMasterAsLeader() {
    Result r = cluster.run("admin", "masters");
    assertEquals(0, r.exit(), r.toString());
    String[] lines = r.out().split("\n");
    assertEquals(2, lines.length, r.toString());
    assertTrue(lines[0].matches("ADDRESS\\s+ROLE\\s+TERM\\s+COMMIT\\s+APPLIED\\s+NOTE"), lines[0]);
    assertTrue(lines[1].matches("127\\.0\\.0\\.1:\\d+\\s+LEADER\\s+\\d+\\s+\\d+\\s+\\d+"), lines[1]);
    assertTrue(lines[1].startsWith(cluster.masterAddress() + " "), lines[1]);
  }

  @Test
  void mastersJsonParsesBackWithTheRaftStatus() throws Exception {
    Result r = cluster.run("admin", "masters", "--output", "json");
    assertEquals(0, r.exit(), r.toString());
    List<Value> masters = array(r.out());
    assertEquals(1, masters.size());
    Struct m = masters.get(0).getStructValue();
    assertEquals(cluster.masterAddress(), m.getFieldsOrThrow("address").getStringValue());
    assertTrue(m.getFieldsOrThrow("reachable").getBoolValue());
    MasterStatus s = message(m.getFieldsOrThrow("status"), MasterStatus.newBuilder());
    assertEquals("LEADER", s.getRole());
    assertTrue(s.getTerm() >= 1 && s.getCommitIndex() >= s.getAppliedIndex() && s.getAppliedIndex() > 0,
        s.toString());
  }

  @Test
  void aConfiguredMasterThatIsDownShowsAsUnreachableNextToTheLeader() throws Exception {
    String down = "127.0.0.1:" + CliCluster.freePort();
    Map<String, String> conf = new LinkedHashMap<>(cluster.conf());
    conf.put("sluice.master.addresses", cluster.masterAddress() + "," + down);
    Result r = CliCluster.run(conf, "admin", "masters");
    assertEquals(0, r.exit(), "one master leads: " + r);
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith(cluster.masterAddress() + " ") && l.contains("LEADER")),
        r.toString());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith(down + " ") && l.contains("unreachable")
        && l.contains("cannot connect")), r.toString());
  }

  @Test
  void workersShowsTheWorkerLiveWithItsTier() {
    Result r = cluster.run("admin", "workers");
    assertEquals(0, r.exit(), r.toString());
    String[] lines = r.out().split("\n");
    assertEquals(3, lines.length, "header, the worker, its one tier: " + r);
    assertTrue(lines[0].matches("\\s*ID\\s+ADDRESS\\s+STATE\\s+HEARTBEAT\\s+BLOCKS\\s+TIER\\s+CAPACITY\\s+USED"
        + "\\s+USE%"), lines[0]);
    assertTrue(lines[1].matches("\\s*\\d+\\s+127\\.0\\.0\\.1:\\d+\\s+live\\s+\\d+m?s ago\\s+\\d+\\s+all\\s+"
        + "64\\.0MiB\\s+\\S+\\s+\\d+%"), lines[1]);
    assertTrue(lines[2].matches("\\s+\\d+\\s+HDD\\s+64\\.0MiB\\s+\\S+\\s+\\d+%"), lines[2]);
  }

  @Test
  void workersJsonHoldsTheLeadersSummaryAndTheWorkersOwnStatus() throws Exception {
    Result r = cluster.run("admin", "workers", "--output", "json");
    assertEquals(0, r.exit(), r.toString());
    List<Value> workers = array(r.out());
    assertEquals(1, workers.size());
    Struct w = workers.get(0).getStructValue();
    WorkerSummary summary = message(w.getFieldsOrThrow("summary"), WorkerSummary.newBuilder());
    assertTrue(summary.getLive());
    assertEquals(64L << 20, summary.getCapacityBytes());
    WorkerStatus status = message(w.getFieldsOrThrow("status"), WorkerStatus.newBuilder());
    assertEquals(summary.getWorkerId(), status.getWorkerId());
    assertEquals(1, status.getTiersCount());
    assertEquals("HDD", status.getTiers(0).getAlias());
    assertEquals(Value.KindCase.NULL_VALUE, w.getFieldsOrThrow("statusError").getKindCase());
  }

  /**
   * Tiers come from each worker's own status page, on the port it advertises, else on the configured one; a page that
   * does not answer leaves the worker listed without tiers, saying which address failed and why.
   */
  @Test
  void aWorkerWhoseStatusPageDoesNotAnswerIsShownWithoutTiersSayingWhy() throws Exception {
    String silent = Integer.toString(CliCluster.freePort());
    WorkerSummary advertised = WorkerSummary.newBuilder().setWorkerId(7).setLive(true).setAddress(
        WorkerAddress.newBuilder().setHost("127.0.0.1").setHttpPort(Integer.parseInt(silent)))
        .build();
    WorkerSummary unadvertised = advertised.toBuilder().setWorkerId(8)
        .setAddress(advertised.getAddress().toBuilder().setHttpPort(0)).build();
    String configured = Integer.toString(CliCluster.freePort());
    List<WorkerView> views = WorkerStatusFetch.fetch(List.of(advertised, unadvertised),
        SluiceConf.defaults().with("sluice.worker.http.port", configured));
    assertEquals(2, views.size());
    assertEquals(null, views.get(0).status());
    assertTrue(views.get(0).statusError().startsWith("http://127.0.0.1:" + silent + "/api/status: "),
        views.get(0).statusError());
    assertTrue(views.get(1).statusError().startsWith("http://127.0.0.1:" + configured + "/api/status: "),
        "no advertised port: the configured one; " + views.get(1).statusError());
  }

  @Test
  void jobsListsTheLoadJob() throws Exception {
    Result r = cluster.run("admin", "jobs");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().lines().anyMatch(l -> l.matches("\\s*" + jobId + "\\s+/ufs\\s+succeeded\\s+1/1\\s+0\\s+"
        + "2\\.9KiB/2\\.9KiB\\s+\\d+s")), r.toString());

    Result json = cluster.run("admin", "jobs", "--output", "json");
    assertEquals(0, json.exit(), json.toString());
    JobStatus job = message(array(json.out()).get(0), JobStatus.newBuilder());
    assertEquals(jobId, job.getJobId());
    assertEquals(JobStatus.State.SUCCEEDED, job.getState());
    assertEquals(3000, job.getBytesDone());
  }

  @Test
  void reportShowsLeaderMastersWorkersNamespaceBlocksAndJobs() {
    Result r = cluster.run("admin", "report");
    assertEquals(0, r.exit(), r.toString());
    String out = r.out();
    assertTrue(out.startsWith("leader:     " + cluster.masterAddress() + " (term "), out);
    assertTrue(out.contains("\nmasters:    1 configured, 1 reachable\n"), out);
    assertTrue(out.contains("\nworkers:    1 live, 0 lost\n"), out);
    assertTrue(out.contains("\ncapacity:   64.0MiB, used "), out);
    assertTrue(out.matches("(?s).*\nnamespace:  [45] inodes, 1 mounts\n.*"), out);  // /, /cached, /ufs (+ /ufs/f)
    assertTrue(out.matches("(?s).*\nblocks:     [2-9] cached on live workers.*"), out);
    assertTrue(out.contains("\njobs:       1 (0 running, 1 succeeded, 0 failed)\n"), out);
    assertTrue(out.lines().anyMatch(l -> l.contains("LEADER")), out);
    assertTrue(out.lines().anyMatch(l -> l.matches("\\s+\\d+\\s+HDD\\s+64\\.0MiB.*")), out);
  }

  @Test
  void reportJsonParsesBack() throws Exception {
    Result r = cluster.run("admin", "report", "--output", "json");
    assertEquals(0, r.exit(), r.toString());
    Struct report = struct(r.out());
    assertEquals(cluster.masterAddress(), report.getFieldsOrThrow("leader").getStringValue());
    MasterStatus s = message(report.getFieldsOrThrow("cluster"), MasterStatus.newBuilder());
    assertEquals(1, s.getLiveWorkers());
    assertEquals(1, s.getJobsCount());
    assertEquals(1, report.getFieldsOrThrow("masters").getListValue().getValuesCount());
    ListValue workers = report.getFieldsOrThrow("workers").getListValue();
    assertNotNull(message(workers.getValues(0).getStructValue().getFieldsOrThrow("status"),
        WorkerStatus.newBuilder()));
  }

  @Test
  void aClusterWhoseMasterIsDownFailsWithinSecondsNamingTheAddress() throws Exception {
    String down = "127.0.0.1:" + CliCluster.freePort();
    Map<String, String> conf = new LinkedHashMap<>(cluster.conf());
    conf.put("sluice.master.addresses", down);
    for (String cmd : new String[] {"report", "masters", "workers", "jobs"}) {
      long start = System.nanoTime();
      Result r = CliCluster.run(conf, "admin", cmd);
      assertEquals(1, r.exit(), cmd + ": " + r);
      assertTrue(r.err().startsWith("sluice: no master leads: " + down + " unreachable (cannot connect"),
          cmd + ": " + r);
      assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(15)) < 0, cmd);
    }
  }

  @Test
  void usageErrorsExit2() {
    assertEquals(2, CliCluster.runRaw("admin", "masters", "extra").exit());
    assertEquals(2, CliCluster.runRaw("admin", "report", "--output", "yaml").exit());
    assertEquals(2, CliCluster.runRaw("admin", "nosuch").exit());
  }

  static Struct struct(String json) throws Exception {
    Struct.Builder b = Struct.newBuilder();
    JsonFormat.parser().merge(json, b);
    return b.build();
  }

  static List<Value> array(String json) throws Exception {
    Value.Builder b = Value.newBuilder();
    JsonFormat.parser().merge(json, b);
    return b.getListValue().getValuesList();
  }

  /** A JSON value holding a message, parsed into it (unknown fields fail: the JSON must be the message). */
  @SuppressWarnings("unchecked")
  static <T extends com.google.protobuf.Message> T message(Value v, com.google.protobuf.Message.Builder b)
      throws Exception {
    JsonFormat.parser().merge(JsonFormat.printer().print(v), b);
    return (T) b.build();
  }
}
