package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.CreateOptions;
import io.sluice.client.MountOptions;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceInputStream;
import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.testing.FreePort;
import io.sluice.tests.faults.FaultProxy;
import io.sluice.worker.WorkerServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Network faults between processes, injected by a {@link FaultProxy} in the path (this kernel has no {@code netem},
 * and a fault on {@code lo} would hit every process of the machine). A worker is put behind a proxy by binding it
 * to another loopback address (127.0.0.2, ...) on port P while it advertises 127.0.0.1:P, where the proxy listens:
 * there is no key to advertise a port other than the one bound, but host and bind host are separate keys. Reads go
 * over the data RPC (short-circuit off) with a 2 s call timeout. A reader that hangs on a cut-off worker fails the
 * test by its time limit.
 */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NetworkFaultTest {
  private static final int BLOCK = 1 << 20;

  @TempDir
  Path dir;

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closing(T c) {
    open.add(c);
    return c;
  }

  private LocalCluster master(String... extra) throws Exception {
    List<String> conf = new ArrayList<>(List.of("sluice.user.block.size", Integer.toString(BLOCK),
        "sluice.user.short.circuit.enabled", "false", "sluice.user.read.window", "2",
        "sluice.rpc.call.timeout", "2s"));
    conf.addAll(List.of(extra));
    LocalCluster c = closing(new LocalCluster(dir, conf.toArray(String[]::new)));
    c.startMaster();
    return c;
  }

  /** A worker bound to 127.0.0.{@code n} and reached (by clients, the master and other workers) via a proxy. */
  private FaultProxy proxiedWorker(LocalCluster c, int n, String... extra) throws IOException {
    int port = FreePort.pick();
    String bound = "127.0.0." + n;
    SluiceConf conf = c.conf().with("sluice.worker.bind.host", bound).with("sluice.worker.host", "127.0.0.1")
        .with("sluice.worker.data.port", Integer.toString(port)).with("sluice.worker.http.port", "0")
        .with("sluice.worker.tiers", "HDD:" + dir.resolve("worker-" + n) + ":1g");
    for (int i = 0; i + 1 < extra.length; i += 2) {
      conf = conf.with(extra[i], extra[i + 1]);
    }
    FaultProxy proxy = closing(FaultProxy.start(new InetSocketAddress("127.0.0.1", port),
        new InetSocketAddress(bound, port)));
    WorkerServer w = closing(new WorkerServer(conf));
    w.start();
    return proxy;
  }

  private static InetSocketAddress masterRpc(LocalCluster c) {
    String address = c.conf().get(CommonKeys.MASTER_ADDRESSES);
    return new InetSocketAddress("127.0.0.1", Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)));
  }

  private static byte[] data(int length, long seed) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static long liveWorkers(SluiceClient client) {
    try {
      return client.clusterInfo().getWorkersList().stream().filter(w -> w.getLive()).count();
    } catch (IOException e) {
      return -1;
    }
  }

  private static void awaitLive(SluiceClient client, int n) throws InterruptedException {
    LocalCluster.await(() -> liveWorkers(client) == n, Duration.ofSeconds(60), n + " live workers");
  }

  /** Reads {@code first} bytes, runs {@code fault}, reads the rest, timing the rest; returns all of it. */
  private static byte[] readAcross(SluiceInputStream in, int length, int first, Runnable fault, long[] restNanos)
      throws IOException {
    byte[] got = new byte[length];
    int done = 0;
    while (done < first) {
      done += in.read(got, done, first - done);
    }
    fault.run();
    long t0 = System.nanoTime();
    while (done < length) {
      int n = in.read(got, done, length - done);
      assertTrue(n > 0, "the read ended early at " + done);
      done += n;
    }
    restNanos[0] = System.nanoTime() - t0;
    return got;
  }

  @Test
  void aReaderWhoseWorkerIsCutOffGoesOnFromTheOtherReplicaWithinTheTimeout() throws Exception {
    LocalCluster c = master();
    FaultProxy a = proxiedWorker(c, 2);
    FaultProxy b = proxiedWorker(c, 3);
    SluiceClient client = closing(c.client());
    awaitLive(client, 2);
    byte[] data = data(8 * BLOCK, 1);
    try (OutputStream out = client.create("/two.bin", CreateOptions.defaults().withReplicas(2))) {
      out.write(data);
    }
    FaultProxy[] cut = new FaultProxy[1];
    long[] before = new long[1];
    long[] rest = new long[1];
    try (SluiceInputStream in = client.open("/two.bin")) {
      byte[] got = readAcross(in, data.length, BLOCK + BLOCK / 2, () -> {
        // Partition the worker that has been serving this reader; the other one stays reachable.
        cut[0] = a.bytesToClient() >= b.bytesToClient() ? a : b;
        FaultProxy other = cut[0] == a ? b : a;
        before[0] = other.bytesToClient();
        cut[0].partition();
      }, rest);
      assertArrayEquals(data, got);
    }
    FaultProxy other = cut[0] == a ? b : a;
    assertTrue(other.bytesToClient() - before[0] >= 4L * BLOCK,
        "the rest came from the other replica: " + (other.bytesToClient() - before[0]) + " bytes");
    assertTrue(rest[0] < Duration.ofSeconds(20).toNanos(),
        "the reader gave up on the cut-off worker after its 2 s timeout, not hung: " + rest[0] / 1_000_000 + " ms");
    cut[0].heal();
  }

  @Test
  void aReaderOfAUfsFileWhoseOnlyWorkerIsCutOffReadsTheUfs() throws Exception {
    Path ufs = Files.createDirectories(dir.resolve("ufs"));
    byte[] data = data(6 * BLOCK + 99, 2);
    Files.write(ufs.resolve("cold.bin"), data);
    LocalCluster c = master();
    FaultProxy w = proxiedWorker(c, 2);
    SluiceClient client = closing(c.client());
    awaitLive(client, 1);
    client.mount("/data", ufs.toUri(), MountOptions.defaults());
    try (SluiceInputStream in = client.open("/data/cold.bin")) {
      assertArrayEquals(data, in.readAllBytes(), "read through the worker once");
    }
    long served = w.bytesToClient();
    assertTrue(served >= data.length, "the first read went through the proxied worker: " + served);
    long[] rest = new long[1];
    try (SluiceInputStream in = client.open("/data/cold.bin")) {
      assertArrayEquals(data, readAcross(in, data.length, BLOCK + 100, w::partition, rest));
    }
    assertTrue(rest[0] < Duration.ofSeconds(20).toNanos(), "not hung: " + rest[0] / 1_000_000 + " ms");
    assertTrue(w.bytesToClient() - served < data.length - BLOCK, "the rest came from the UFS, not the worker");
    w.heal();
  }

  @Test
  void delayedTrafficStillCarriesTheRightBytes() throws Exception {
    LocalCluster c = master();
    FaultProxy w = proxiedWorker(c, 2);
    SluiceClient client = closing(c.client());
    awaitLive(client, 1);
    w.delay(Duration.ofMillis(5));
    byte[] data = data(3 * BLOCK + 12345, 3);
    try (OutputStream out = client.create("/slow.bin")) {
      out.write(data);
    }
    try (SluiceInputStream in = client.open("/slow.bin")) {
      assertArrayEquals(data, in.readAllBytes());
    }
    assertTrue(w.bytesToTarget() >= data.length && w.bytesToClient() >= data.length,
        "written and read through the delaying proxy: " + w.bytesToTarget() + " / " + w.bytesToClient());
  }

  @Test
  void aWorkerCutOffFromTheMasterIsMarkedLostAndRegistersAgainWhenThePartitionHeals() throws Exception {
    LocalCluster c = master("sluice.master.worker.timeout", "3s");
    FaultProxy toMaster = closing(FaultProxy.start(masterRpc(c)));
    proxiedWorker(c, 2, "sluice.master.addresses", "127.0.0.1:" + toMaster.port(),
        "sluice.rpc.call.timeout", "1s");
    SluiceClient client = closing(c.client());
    awaitLive(client, 1);
    long heartbeats = toMaster.bytesToTarget();
    LocalCluster.await(() -> toMaster.bytesToTarget() > heartbeats, Duration.ofSeconds(10),
        "heartbeats through the proxy");

    toMaster.partition();
    LocalCluster.await(() -> liveWorkers(client) == 0, Duration.ofSeconds(30),
        "the master to mark the silent worker lost");
    assertEquals(1, client.clusterInfo().getWorkersCount(), "listed, as lost");

    toMaster.heal();
    awaitLive(client, 1);
    byte[] data = data(BLOCK + 1, 4);
    try (OutputStream out = client.create("/after.bin")) {
      out.write(data);
    }
    try (SluiceInputStream in = client.open("/after.bin")) {
      assertArrayEquals(data, in.readAllBytes(), "the re-registered worker takes and serves blocks");
    }
  }
}
