package io.sluice.hadoop.shaded;

import io.sluice.client.SluiceClient;
import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.testing.FreePort;
import io.sluice.master.MasterServer;
import io.sluice.worker.WorkerServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One real master and one real worker in this JVM on loopback ports, in a scratch directory removed on close. Runs
 * on this JVM's class path (unshaded Netty 4.2), outside the class loader under test. Started the way client-hadoop's
 * {@code MiniSluiceCluster} does it; that class lives in client-hadoop's tests, which are not published as a jar.
 */
final class LoopbackCluster implements AutoCloseable {
  private static final long WORKER_WAIT_NANOS = 60_000_000_000L;

  private final Path dir;
  private final SluiceConf conf;
  private MasterServer master;
  private WorkerServer worker;

  private LoopbackCluster(Path dir) throws IOException {
    this.dir = dir;
    int rpcPort = FreePort.pick();
    this.conf = SluiceConf.defaults()
        .with("sluice.master.addresses", "127.0.0.1:" + rpcPort)
        .with("sluice.master.host", "127.0.0.1")
        .with("sluice.master.rpc.port", Integer.toString(rpcPort))
        .with("sluice.master.raft.port", Integer.toString(FreePort.pick()))
        .with("sluice.master.dir", dir.resolve("master").toString())
        .with("sluice.master.http.port", "0")
        .with("sluice.worker.http.port", "0")
        .with("sluice.worker.host", "127.0.0.1")
        .with("sluice.worker.bind.host", "127.0.0.1")
        .with("sluice.worker.data.port", Integer.toString(FreePort.pick()))
        .with("sluice.worker.tiers", "HDD:" + dir.resolve("worker") + ":1g")
        .with("sluice.worker.heartbeat.interval", "200ms");
  }

  /** Starts a master and a worker and returns once the master lists the worker as live. */
  static LoopbackCluster start() throws Exception {
    LoopbackCluster c = new LoopbackCluster(Files.createTempDirectory("sluice-shaded-it"));
    try {
      c.startServers();
      return c;
    } catch (Exception | Error e) {
      c.close();
      throw e;
    }
  }

  /** {@code host:port} of the master, for {@code sluice.master.addresses} and the URI authority. */
  String masterAddress() {
    return conf.get(CommonKeys.MASTER_ADDRESSES);
  }

  private void startServers() throws Exception {
    master = new MasterServer(conf);
    master.start();
    worker = new WorkerServer(conf);
    worker.start();
    try (SluiceClient client = SluiceClient.connect(conf)) {
      long deadline = System.nanoTime() + WORKER_WAIT_NANOS;
      while (client.clusterInfo().getWorkersList().stream().noneMatch(w -> w.getLive())) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("timed out waiting for a live worker");
        }
        Thread.sleep(50);
      }
    }
  }

  @Override
  public void close() {
    try {
      if (worker != null) {
        worker.close();
      }
    } finally {
      try {
        if (master != null) {
          master.close();
        }
      } finally {
        deleteTree(dir);
      }
    }
  }


  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
