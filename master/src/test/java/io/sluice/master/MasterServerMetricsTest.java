package io.sluice.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.metrics.Scrape;
import io.sluice.common.proto.GetStatusRequest;
import io.sluice.common.proto.GetStatusResponse;
import io.sluice.common.proto.MasterMethod;
import io.sluice.common.proto.MkdirRequest;
import io.sluice.common.proto.MkdirResponse;
import io.sluice.common.proto.RegisterWorkerRequest;
import io.sluice.common.proto.RegisterWorkerResponse;
import io.sluice.common.proto.WorkerAddress;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.master.testing.FakeClock;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real master's {@code /metrics}, scraped over HTTP while a real RPC client changes its state. */
class MasterServerMetricsTest {
  @TempDir
  Path dir;
  final FakeClock clock = new FakeClock(1_700_000_000_000L);
  MasterServer master;
  RpcClient client;
  InetSocketAddress http;

  @BeforeEach
  void start() throws Exception {
    master = new MasterServer(MasterServerTest.conf(dir), clock).start();
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

  private void mkdir(String path) throws Exception {
    client.call(MasterMethod.MKDIR_VALUE, MkdirRequest.newBuilder().setPath(path).build(), MkdirResponse.parser());
  }

  @Test
  void namespaceGaugesFollowMkdirs() throws Exception {
    Scrape before = Scrape.of(http);
    assertEquals(1, before.require("sluice_master_inodes", "server", "master"), "the root");
    assertEquals(1, before.require("sluice_master_leader"));
    double indexBefore = before.require("sluice_master_journal_applied_index");

    mkdir("/a");
    mkdir("/b");
    mkdir("/a/c");

    Scrape after = Scrape.of(http);
    assertEquals(4, after.require("sluice_master_inodes"));
    // Each mkdir is one more entry; Raft's own entries (configuration, leader no-op) may count too.
    assertTrue(after.require("sluice_master_journal_applied_index") >= indexBefore + 3);
    assertEquals(3, after.require("sluice_rpc_server_calls_total", "server", "master",
        "method", Integer.toString(MasterMethod.MKDIR_VALUE), "status", "OK"));
    assertEquals(3, after.require("sluice_rpc_server_latency_seconds_count",
        "method", Integer.toString(MasterMethod.MKDIR_VALUE)));
    assertTrue(after.require("jvm_threads_live_threads") > 0);
    assertTrue(after.require("sluice_master_raft_term") >= 1);
    assertEquals(1, after.require("sluice_master_raft_role", "role", "LEADER"));
    assertEquals(0, after.require("sluice_master_raft_role", "role", "FOLLOWER"));
    assertTrue(after.require("sluice_master_raft_commit_index") >= indexBefore + 3);
  }

  @Test
  void aSoleMasterConfirmsItsReadsWithoutARaftRound() throws Exception {
    mkdir("/a");
    Scrape before = Scrape.of(http);
    for (int i = 0; i < 20; i++) {
      mkdir("/a/" + i);
      // Each read follows an acknowledged write at once and must see it.
      GetStatusResponse r = client.call(MasterMethod.GET_STATUS_VALUE, GetStatusRequest.newBuilder()
          .setPath("/a/" + i).build(), GetStatusResponse.parser());
      assertEquals(Integer.toString(i), r.getInfo().getName());
    }
    Scrape after = Scrape.of(http);
    String name = "sluice_master_journal_read_barriers_total";
    assertTrue(after.require(name, "path", "local") - before.require(name, "path", "local") >= 20);
    assertEquals(before.require(name, "path", "raft"), after.require(name, "path", "raft"));
  }

  @Test
  void workerGaugesFollowRegistrationAndLoss() throws Exception {
    assertEquals(0, Scrape.of(http).require("sluice_master_workers", "state", "live"));
    client.call(MasterMethod.REGISTER_WORKER_VALUE, RegisterWorkerRequest.newBuilder()
        .setAddress(WorkerAddress.newBuilder().setHost("127.0.0.1").setDataPort(7080))
        .setCapacityBytes(1 << 30).build(), RegisterWorkerResponse.parser());

    Scrape live = Scrape.of(http);
    assertEquals(1, live.require("sluice_master_workers", "state", "live"));
    assertEquals(0, live.require("sluice_master_workers", "state", "lost"));
    assertEquals(1 << 30, live.require("sluice_master_workers_capacity_bytes"));

    clock.advance(Duration.ofHours(2)); // past the 1 h worker timeout of the test configuration
    Scrape lost = Scrape.of(http);
    assertEquals(0, lost.require("sluice_master_workers", "state", "live"));
    assertEquals(1, lost.require("sluice_master_workers", "state", "lost"));
    assertEquals(0, lost.require("sluice_master_workers_capacity_bytes"));
  }

  @Test
  void closeStopsTheHttpService() throws Exception {
    assertEquals(200, Scrape.get(http, "/health").statusCode());
    master.close();
    master = null;
    client.close();
    client = null;
    org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> Scrape.get(http, "/health"));
  }
}
