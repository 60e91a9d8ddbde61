package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.SluiceClient;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.TtlAction;
import io.sluice.common.rpc.RpcException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TTL survives the death of the leader it was set on (DESIGN §5): three masters as separate processes on
 * loopback, checking TTLs every 200 ms; a delete TTL is set on a file, the leader is killed (SIGKILL) before the TTL
 * runs out, and the next leader deletes the file once it does.
 */
class TtlFailoverTest {
  private static final int MASTERS = 3;

  @TempDir
  Path dir;

  private MasterProcesses masters;

  @AfterEach
  void stopAll(TestInfo test) throws Exception {
    if (masters != null) {
      masters.close("ttl-failover-logs", test.getTestMethod().map(m -> m.getName()).orElse("test"));
    }
  }

  @Test
  void theNextLeaderDeletesAFileWhoseTtlRunsOutAfterTheLeaderDied() throws Exception {
    masters = new MasterProcesses(dir, MASTERS, "sluice.master.ttl.check.interval=200ms").startAll();
    SluiceConf conf = SluiceConf.defaults().with("sluice.master.addresses", masters.addresses())
        .with("sluice.user.master.retry.budget", "60s").with("sluice.rpc.call.timeout", "5s");
    Duration ttl = Duration.ofSeconds(12);  // room for two journaled calls and finding the leader on a slow machine
    try (SluiceClient client = SluiceClient.connect(conf)) {
      client.mkdir("/tmp", false);
      client.create("/tmp/victim").close();
      client.create("/tmp/kept").close();
      FileInfo set = client.setTtl("/tmp/victim", ttl.toMillis(), TtlAction.TTL_DELETE);
      long expiresMs = set.getCreatedMs() + set.getTtlMs();
      int old = masters.leader();
      masters.kill(old);
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

      int now = masters.leader();
      assertNotEquals(old, now);
      String log = Files.readString(masters.log(now));
      assertTrue(log.contains("TTL of /tmp/victim ran out: delete done"), "the new leader acted on it");
    }
  }
}
