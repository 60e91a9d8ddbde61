package io.sluice.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.testing.FakeCluster;
import io.sluice.common.proto.MountRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The mount API: what reaches the master, and what comes back. */
class MountTest {
  private FakeCluster cluster;
  private SluiceClient client;

  @BeforeEach
  void start() throws Exception {
    cluster = FakeCluster.start(1);
    client = SluiceClient.connect(cluster.conf());
  }

  @AfterEach
  void stop() {
    client.close();
    cluster.close();
  }

  @Test
  void mountSendsEveryFieldAndReturnsTheMount() throws Exception {
    Map<String, String> opts = Map.of("s3.endpoint", "http://127.0.0.1:9000", "s3.secret.key", "hunter2");
    Mount m = client.mount("/data", URI.create("s3://bucket/prefix"), MountOptions.defaults().withOptions(opts)
        .withReadOnly(true).withSyncInterval(Duration.ofSeconds(30)).withReplicas(3));

    MountRequest sent = cluster.master.mountCalls().get(0);
    assertEquals("/data", sent.getPath());
    assertEquals("s3://bucket/prefix", sent.getUfsUri());
    assertEquals(opts, sent.getOptionsMap());
    assertTrue(sent.getReadOnly());
    assertEquals(30_000, sent.getSyncIntervalMs());
    assertEquals(3, sent.getReplicas());

    assertEquals("/data", m.path());
    assertEquals(URI.create("s3://bucket/prefix"), m.ufsUri());
    assertEquals(opts, m.options());
    assertTrue(m.readOnly());
    assertEquals(Duration.ofSeconds(30), m.syncInterval());
    assertEquals(3, m.replicas());
    assertEquals(List.of(m), client.mounts());
  }

  @Test
  void defaultsAndNeverAreEncodedAsTheProtocolSays() throws Exception {
    client.mount("/a", URI.create("file:///tmp/a"), MountOptions.defaults());
    Mount never = client.mount("/b", URI.create("file:///tmp/b"),
        MountOptions.defaults().withSyncInterval(MountOptions.NEVER));

    MountRequest a = cluster.master.mountCalls().get(0);
    assertFalse(a.hasSyncIntervalMs(), "no interval asks for the master's default");
    assertEquals(0, a.getReplicas());
    assertFalse(a.getReadOnly());
    assertTrue(a.getOptionsMap().isEmpty());
    assertEquals(-1, cluster.master.mountCalls().get(1).getSyncIntervalMs());
    assertTrue(never.neverSyncs());
    assertEquals(MountOptions.NEVER, never.syncInterval());
    // The master resolved the default for /a; the client reports what it resolved.
    Mount resolved = client.mounts().stream().filter(x -> x.path().equals("/a")).findFirst().orElseThrow();
    assertEquals(Duration.ofMinutes(1), resolved.syncInterval());
    assertEquals(1, resolved.replicas());
  }

  @Test
  void unmountSendsThePathAndRemovesTheMount() throws Exception {
    client.mount("/data", URI.create("file:///tmp/x"), MountOptions.defaults());
    client.unmount("/data");
    assertTrue(client.mounts().isEmpty());
    assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class, () -> client.getStatus("/data")).status());
    RpcException e = assertThrows(RpcException.class, () -> client.unmount("/data"));
    assertEquals(Status.NOT_FOUND, e.status());
    assertTrue(e.getMessage().contains("/data"), e.getMessage());
  }

  @Test
  void mountErrorsComeBackWithTheirStatus() throws Exception {
    client.mkdir("/taken", false);
    assertEquals(Status.ALREADY_EXISTS, assertThrows(RpcException.class,
        () -> client.mount("/taken", URI.create("file:///tmp/x"), MountOptions.defaults())).status());
    assertEquals(Status.INVALID_ARGUMENT, assertThrows(RpcException.class,
        () -> client.mount("relative", URI.create("file:///tmp/x"), MountOptions.defaults())).status());
  }

  @Test
  void optionsRejectWhatTheProtocolCannotSay() {
    MountOptions d = MountOptions.defaults();
    assertThrows(IllegalArgumentException.class, () -> d.withSyncInterval(Duration.ofSeconds(-1)));
    assertEquals(0, d.withSyncInterval(Duration.ZERO).syncIntervalMs().getAsLong(), "0: check on every access");
    assertThrows(IllegalArgumentException.class, () -> d.withSyncInterval(Duration.ofSeconds(Long.MAX_VALUE / 10)));
    assertThrows(IllegalArgumentException.class, () -> d.withReplicas(-1));
  }

  @Test
  void toStringKeepsOptionValuesOut() {
    Mount m = new Mount(7, "/data", URI.create("s3://b/p"), Map.of("s3.secret.key", "hunter2"), false,
        Duration.ofSeconds(5), 1);
    assertTrue(m.toString().contains("s3.secret.key"), m.toString());
    assertFalse(m.toString().contains("hunter2"), m.toString());
  }
}
