package io.sluice.tests.fuse;

import io.sluice.client.SluiceClient;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.metrics.Scrape;
import io.sluice.common.testing.FreePort;
import io.sluice.fuse.FuseMount;
import io.sluice.fuse.MountOptions;
import io.sluice.master.MasterServer;
import io.sluice.worker.WorkerServer;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A master and a worker in this JVM on loopback, with a client and a FUSE mount of it in this JVM too. Closing
 * unmounts first, then stops everything, each step attempted even when an earlier one fails.
 */
final class FuseCluster implements AutoCloseable {
  private final Path dir;
  private final SluiceConf conf;
  private MasterServer master;
  private WorkerServer worker;
  private SluiceClient client;
  private FuseMount mount;

  /** @param extra {@code key, value} pairs added to the shared configuration */
  FuseCluster(Path dir, String... extra) throws IOException {
    this.dir = dir;
    int rpc = FreePort.pick();
    SluiceConf c = SluiceConf.defaults()
        .with("sluice.master.addresses", "127.0.0.1:" + rpc)
        .with("sluice.master.host", "127.0.0.1")
        .with("sluice.master.rpc.port", Integer.toString(rpc))
        .with("sluice.master.raft.port", Integer.toString(FreePort.pick()))
        .with("sluice.master.dir", dir.resolve("master").toString())
        .with("sluice.worker.host", "127.0.0.1")
        .with("sluice.worker.bind.host", "127.0.0.1")
        .with("sluice.worker.data.port", Integer.toString(FreePort.pick()))
        .with("sluice.worker.tiers", "HDD:" + dir.resolve("worker") + ":4g")
        .with("sluice.worker.heartbeat.interval", "200ms")
        // A free port for the mount's /metrics: tests must not fight over the default 7092.
        .with("sluice.fuse.http.port", "0");
    for (int i = 0; i + 1 < extra.length; i += 2) {
      c = c.with(extra[i], extra[i + 1]);
    }
    this.conf = c;
  }


  SluiceConf conf() {
    return conf;
  }

  /** Starts the servers and waits for the worker; the client is then usable. */
  FuseCluster start() throws Exception {
    master = new MasterServer(conf);
    master.start();
    worker = new WorkerServer(conf);
    worker.start();
    client = SluiceClient.connect(conf);
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (client.clusterInfo().getWorkersList().stream().noneMatch(w -> w.getLive())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no live worker within 60s");
      }
      Thread.sleep(50);
    }
    return this;
  }

  /** Mounts the namespace at {@code mnt} in this JVM. */
  Path mount(Path mnt) throws IOException {
    return mount(mnt, MountOptions.from(conf));
  }

  /** Mounts the namespace at {@code mnt} in this JVM with {@code options} (e.g. a test's clock). */
  Path mount(Path mnt, MountOptions options) throws IOException {
    mount = FuseMount.mount(client, mnt, options);
    return mount.dir();
  }

  FuseMount mounted() {
    return mount;
  }

  SluiceClient client() {
    return client;
  }

  MasterServer master() {
    return master;
  }

  WorkerServer worker() {
    return worker;
  }

  /**
   * Calls of {@code method} (a {@code MasterMethod} number) the master answered OK so far, from its /metrics; the
   * cluster needs {@code sluice.master.http.port} set (0 picks a free port).
   */
  double masterCalls(int method) throws Exception {
    InetSocketAddress http = new InetSocketAddress("127.0.0.1", master.httpAddress().orElseThrow().getPort());
    return Scrape.of(http).value("sluice_rpc_server_calls_total", "server", "master", "method",
        Integer.toString(method), "status", "OK").orElse(0.0);
  }

  /** A value from the mount's /metrics: {@code name} with the {@code tags} given (name, value, ...); 0 if absent. */
  double mountMetric(String name, String... tags) throws Exception {
    InetSocketAddress http = new InetSocketAddress("127.0.0.1", mount.httpAddress().orElseThrow().getPort());
    return Scrape.of(http).value(name, tags).orElse(0.0);
  }

  Path dir() {
    return dir;
  }

  @Override
  public void close() throws IOException {
    List<IOException> failures = new ArrayList<>();
    for (Closeable c : new Closeable[] {mount, client, worker, master}) {
      if (c == null) {
        continue;
      }
      try {
        c.close();
      } catch (IOException e) {
        failures.add(e);
      }
    }
    mount = null;
    client = null;
    worker = null;
    master = null;
    if (!failures.isEmpty()) {
      IOException first = failures.get(0);
      failures.subList(1, failures.size()).forEach(first::addSuppressed);
      throw first;
    }
  }
}
