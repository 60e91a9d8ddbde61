package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.SluiceClient;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.GetClusterInfoRequest;
import io.sluice.common.proto.GetClusterInfoResponse;
import io.sluice.common.proto.MasterMethod;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.TtlAction;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TTL survives the death of the leader it was set on (DESIGN §5): three masters as separate processes on
 * loopback, checking TTLs every 200 ms; a delete TTL is set on a file, the leader is killed (SIGKILL) before the TTL
 * runs out, and the next leader deletes the file once it does. The process setup is the minimum of
 * {@link MasterFailoverTest}'s.
 */
class TtlFailoverTest {
  private static final int MASTERS = 3;

  @TempDir
  Path dir;

  private final int[] rpc = new int[MASTERS];
  private final int[] raft = new int[MASTERS];
  private final Process[] masters = new Process[MASTERS];

  private static String loopback(int[] ports) {
    List<String> a = new ArrayList<>();
    for (int p : ports) {
      a.add("127.0.0.1:" + p);
    }
    return String.join(",", a);
  }

  private Process start(int i) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "-cp", System.getProperty("java.class.path"), "io.sluice.cli.SluiceMain", "master",
        "--conf", "sluice.master.addresses=" + loopback(rpc),
        "--conf", "sluice.master.raft.addresses=" + loopback(raft),
        "--conf", "sluice.master.host=127.0.0.1",
        "--conf", "sluice.master.rpc.port=" + rpc[i],
        "--conf", "sluice.master.raft.port=" + raft[i],
        "--conf", "sluice.master.dir=" + dir.resolve("m" + i),
        "--conf", "sluice.master.ttl.check.interval=200ms"));
    return new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("m" + i + ".log").toFile())).start();
  }

  /** The index of the master that answers as leader, waiting for an election if needed. */
  private int leader() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    RpcOptions opts = RpcOptions.defaults().withCallTimeout(Duration.ofSeconds(2));
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < MASTERS; i++) {
        if (masters[i] == null || !masters[i].isAlive()) {
          continue;
        }
        try (RpcClient c = RpcClient.connect(new InetSocketAddress("127.0.0.1", rpc[i]), opts)) {
          c.call(MasterMethod.GET_CLUSTER_INFO_VALUE, GetClusterInfoRequest.getDefaultInstance(),
              GetClusterInfoResponse.parser());
          return i;
        } catch (RpcException e) {
          // a follower, or not up yet
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no leader elected");
  }

  @AfterEach
  void stopAll(TestInfo test) throws Exception {
    // Keep the masters' logs where a failed run can be read (the temp dir is removed).
    Path logs = Path.of("target", "ttl-failover-logs", test.getTestMethod().map(m -> m.getName()).orElse("test"));
    Files.createDirectories(logs);
    for (int i = 0; i < MASTERS; i++) {
      Path log = dir.resolve("m" + i + ".log");
      if (Files.exists(log)) {
        Files.copy(log, logs.resolve("m" + i + ".log"), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    for (Process p : masters) {
      if (p != null) {
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void theNextLeaderDeletesAFileWhoseTtlRunsOutAfterTheLeaderDied() throws Exception {
    for (int i = 0; i < MASTERS; i++) {
      rpc[i] = LocalCluster.freePort();
      raft[i] = LocalCluster.freePort();
    }
    for (int i = 0; i < MASTERS; i++) {
      masters[i] = start(i);
    }
    SluiceConf conf = SluiceConf.defaults().with("sluice.master.addresses", loopback(rpc))
        .with("sluice.user.master.retry.budget", "60s").with("sluice.rpc.call.timeout", "5s");
    Duration ttl = Duration.ofSeconds(6);
    try (SluiceClient client = SluiceClient.connect(conf)) {
      client.mkdir("/tmp", false);
      client.create("/tmp/victim").close();
      client.create("/tmp/kept").close();
      FileInfo set = client.setTtl("/tmp/victim", ttl.toMillis(), TtlAction.TTL_DELETE);
      long expiresMs = set.getCreatedMs() + set.getTtlMs();
      int old = leader();
      masters[old].destroyForcibly();
      assertTrue(masters[old].waitFor(30, TimeUnit.SECONDS));
      assertTrue(System.currentTimeMillis() < expiresMs,
          "the leader died before the TTL ran out, so only a later leader can act on it");

      // A new leader is elected within seconds; it acts within one check interval after the expiry.
      LocalCluster.await(() -> {
        try {
          client.getStatus("/tmp/victim");
          return false;
        } catch (RpcException e) {
          return e.status() == Status.NOT_FOUND;
        }
      }, Duration.ofSeconds(60), "the next leader to delete /tmp/victim");
      assertTrue(System.currentTimeMillis() >= expiresMs, "not deleted before its TTL ran out");
      assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class, () -> client.getStatus("/tmp/victim"))
          .status());
      assertEquals(0, client.getStatus("/tmp/kept").getTtlMs(), "its sibling without a TTL stays");

      int now = leader();
      assertNotEquals(old, now);
      String log = Files.readString(dir.resolve("m" + now + ".log"));
      assertTrue(log.contains("TTL of /tmp/victim ran out: delete done"), "the new leader acted on it");
    }
  }
}
