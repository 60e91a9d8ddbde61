package io.sluice.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.sluice.common.metrics.MetricsHttpServer;
import io.sluice.common.metrics.Scrape;
import io.sluice.common.proto.JobStatus;
import io.sluice.common.proto.LoadRequest;
import io.sluice.common.proto.LoadResponse;
import io.sluice.common.proto.MasterMethod;
import io.sluice.common.proto.MasterStatus;
import io.sluice.common.proto.MkdirRequest;
import io.sluice.common.proto.MkdirResponse;
import io.sluice.common.proto.MountInfo;
import io.sluice.common.proto.MountRequest;
import io.sluice.common.proto.MountResponse;
import io.sluice.common.proto.MountSummary;
import io.sluice.common.proto.RegisterWorkerRequest;
import io.sluice.common.proto.RegisterWorkerResponse;
import io.sluice.common.proto.WorkerAddress;
import io.sluice.common.proto.WorkerSummary;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.master.testing.FakeClock;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real master's {@code /api/status} and status page over HTTP, while a real RPC client changes its state. */
class MasterServerStatusTest {
  @TempDir
  Path dir;
  final FakeClock clock = new FakeClock(1_700_000_000_000L);
  MasterServer master;
  RpcClient client;
  InetSocketAddress http;

  @BeforeEach
  void start() throws Exception {
    master = new MasterServer(MasterServerTest.conf(dir.resolve("master")), clock).start();
    client = RpcClient.connect(master.rpcAddress(), RpcOptions.defaults().withUser("alice"));
    http = master.httpAddress().orElseThrow();
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (master != null) {
      master.close();
    }
  }

  private MasterStatus status() throws Exception {
    HttpResponse<String> r = Scrape.get(http, "/api/status");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(MetricsHttpServer.JSON_TYPE, r.headers().firstValue("Content-Type").orElseThrow());
    MasterStatus.Builder status = MasterStatus.newBuilder();
    JsonFormat.parser().merge(r.body(), status);
    return status.build();
  }

  @Test
  void reportsTheJournalAndTheNamespace() throws Exception {
    MasterStatus before = status();
    assertEquals("LEADER", before.getRole());
    assertEquals(master.advertisedAddress(), before.getAddress());
    assertEquals(master.advertisedAddress(), before.getLeader(), "alone, it leads");
    assertTrue(before.getTerm() >= 1, before.toString());
    assertTrue(before.getAppliedIndex() >= 0 && before.getCommitIndex() >= before.getAppliedIndex(),
        before.toString());
    assertEquals(1, before.getInodeCount(), "the root");
    assertEquals(0, before.getWorkersCount());
    assertEquals(0, before.getJobsCount());

    client.call(MasterMethod.MKDIR_VALUE, MkdirRequest.newBuilder().setPath("/a").build(), MkdirResponse.parser());
    MasterStatus after = status();
    assertEquals(2, after.getInodeCount());
    assertTrue(after.getAppliedIndex() > before.getAppliedIndex(), after.toString());
    assertTrue(after.getCommitIndex() >= after.getAppliedIndex(), after.toString());
  }

  @Test
  void listsWorkersLiveThenLost() throws Exception {
    client.call(MasterMethod.REGISTER_WORKER_VALUE, RegisterWorkerRequest.newBuilder()
        .setAddress(WorkerAddress.newBuilder().setHost("127.0.0.1").setDataPort(7080))
        .setCapacityBytes(1L << 30).build(), RegisterWorkerResponse.parser());

    MasterStatus live = status();
    assertEquals(1, live.getWorkersCount());
    WorkerSummary w = live.getWorkers(0);
    assertTrue(w.getLive());
    assertEquals("127.0.0.1", w.getAddress().getHost());
    assertEquals(7080, w.getAddress().getDataPort());
    assertEquals(1L << 30, w.getCapacityBytes());
    assertEquals(0, w.getUsedBytes());
    assertEquals(0, w.getHeartbeatAgeMs(), "the fake clock stood still");
    assertEquals(1, live.getLiveWorkers());
    assertEquals(1L << 30, live.getCapacityBytes());

    String page = Scrape.get(http, "/").body();
    assertTrue(page.contains("host=127.0.0.1 dataPort=7080"), page);
    assertTrue(page.contains(">1073741824<"), page);

    clock.advance(Duration.ofHours(2)); // past the 1 h worker timeout of the test configuration
    MasterStatus lost = status();
    assertFalse(lost.getWorkers(0).getLive());
    assertEquals(Duration.ofHours(2).toMillis(), lost.getWorkers(0).getHeartbeatAgeMs());
    assertEquals(0, lost.getLiveWorkers());
    assertEquals(0, lost.getCapacityBytes(), "totals count live workers only");
  }

  @Test
  void listsMountsAndLoadJobsAndEscapesThemOnThePage() throws Exception {
    Path ufs = Files.createDirectories(dir.resolve("ufs"));
    Files.write(ufs.resolve("f"), new byte[100]);
    String point = "/m<i>&";
    MountInfo mounted = client.call(MasterMethod.MOUNT_VALUE, MountRequest.newBuilder().setPath(point)
        .setUfsUri(ufs.toUri().toString()).setReadOnly(true).build(), MountResponse.parser()).getMount();
    long job = client.call(MasterMethod.LOAD_VALUE, LoadRequest.newBuilder().setPath(point).build(),
        LoadResponse.parser()).getJobId();

    MasterStatus status = status();
    assertEquals(MountSummary.newBuilder().setPath(point).setUfsUri(mounted.getUfsUri()).setReadOnly(true).build(),
        status.getMounts(0));
    assertEquals(1, status.getJobsCount());
    JobStatus j = status.getJobs(0);
    assertEquals(job, j.getJobId());
    assertEquals(point, j.getPath());

    HttpResponse<String> page = Scrape.get(http, "/index.html");
    assertEquals(200, page.statusCode());
    assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElseThrow());
    assertTrue(page.body().contains("<h1>Sluice master</h1>"), page.body());
    assertTrue(page.body().contains(master.advertisedAddress()), page.body());
    assertTrue(page.body().contains("/m&lt;i&gt;&amp;"), page.body());
    assertFalse(page.body().contains("<i>"), "no value is markup: " + page.body());
  }

  @Test
  void otherPathsStayNotFound() throws Exception {
    for (String path : new String[] {"/api", "/api/status/workers", "/status", "/index"}) {
      assertEquals(404, Scrape.get(http, path).statusCode(), path);
    }
  }
}
