package io.sluice.tests;

import io.sluice.client.SluiceClient;
import io.sluice.common.conf.SluiceConf;
import io.sluice.master.MasterServer;
import io.sluice.worker.WorkerServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * A real master and a real worker in this JVM on loopback, each restartable on the same ports and directories
 * (ports are picked free once, so a restarted master keeps its Raft peer address).
 */
final class LocalCluster implements AutoCloseable {
  private final Path dir;
  private final int masterRpcPort;
  private final int masterRaftPort;
  private final int workerDataPort;
  private final String[] extra;
  private MasterServer master;
  private WorkerServer worker;

  LocalCluster(Path dir, String... extraConf) throws IOException {
    this.dir = dir;
    this.masterRpcPort = freePort();
    this.masterRaftPort = freePort();
    this.workerDataPort = freePort();
    this.extra = extraConf;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Configuration every process of this cluster shares. */
  SluiceConf conf() {
    SluiceConf c = SluiceConf.defaults()
        .with("sluice.master.addresses", "127.0.0.1:" + masterRpcPort)
        .with("sluice.master.host", "127.0.0.1")
        .with("sluice.master.rpc.port", Integer.toString(masterRpcPort))
        .with("sluice.master.raft.port", Integer.toString(masterRaftPort))
        .with("sluice.master.dir", dir.resolve("master").toString())
        .with("sluice.worker.host", "127.0.0.1")
        .with("sluice.worker.bind.host", "127.0.0.1")
        .with("sluice.worker.data.port", Integer.toString(workerDataPort))
        .with("sluice.worker.tiers", "HDD:" + dir.resolve("worker") + ":4g")
        .with("sluice.worker.heartbeat.interval", "200ms");
    for (int i = 0; i + 1 < extra.length; i += 2) {
      c = c.with(extra[i], extra[i + 1]);
    }
    return c;
  }

  void startMaster() throws IOException {
    master = new MasterServer(conf());
    master.start();
  }

  void stopMaster() throws IOException {
    master.close();
    master = null;
  }

  void startWorker() throws IOException {
    worker = new WorkerServer(conf());
    worker.start();
  }

  /** The running worker's HTTP address (/metrics), if it serves one. */
  java.util.Optional<java.net.InetSocketAddress> workerHttp() {
    return worker == null ? java.util.Optional.empty() : worker.httpAddress();
  }

  void stopWorker() throws IOException {
    worker.close();
    worker = null;
  }

  SluiceClient client() throws IOException {
    return SluiceClient.connect(conf());
  }

  /** Waits until the master lists a live worker. */
  void awaitWorker(SluiceClient client) throws Exception {
    await(() -> {
      try {
        return client.clusterInfo().getWorkersList().stream().anyMatch(w -> w.getLive());
      } catch (IOException e) {
        return false;
      }
    }, Duration.ofSeconds(60), "a live worker");
  }

  static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  @Override
  public void close() throws IOException {
    if (worker != null) {
      stopWorker();
    }
    if (master != null) {
      stopMaster();
    }
  }
}
