package io.sluice.tests;

import io.sluice.client.SluiceClient;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.testing.FreePort;
import io.sluice.master.MasterServer;
import io.sluice.worker.WorkerServer;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * A real master and real workers (one unless {@link #withWorkers}) in this JVM on loopback, each restartable on the
 * same ports and directories (ports are picked free once, so a restarted master keeps its Raft peer address). The
 * methods without a worker index act on worker 0.
 */
final class LocalCluster implements AutoCloseable {
  private final Path dir;
  private final int masterRpcPort;
  private final int masterRaftPort;
  private final int[] workerDataPorts;
  private final String[] extra;
  private MasterServer master;
  private final WorkerServer[] workers;

  LocalCluster(Path dir, String... extraConf) throws IOException {
    this(dir, 1, extraConf);
  }

  private LocalCluster(Path dir, int workerCount, String[] extraConf) throws IOException {
    this.dir = dir;
    this.masterRpcPort = FreePort.pick();
    this.masterRaftPort = FreePort.pick();
    this.workerDataPorts = new int[workerCount];
    for (int i = 0; i < workerCount; i++) {
      workerDataPorts[i] = FreePort.pick();
    }
    this.workers = new WorkerServer[workerCount];
    this.extra = extraConf;
  }

  /**
   * A cluster of {@code workerCount} workers, each with its own directory and ports (HTTP on a free port). Worker 0
   * advertises this host's name, which the client sends as its own, so the master places it first in every write
   * pipeline (the client's local worker); the others advertise 127.0.0.1 and follow it in a random order.
   */
  static LocalCluster withWorkers(Path dir, int workerCount, String... extraConf) throws IOException {
    return new LocalCluster(dir, workerCount, extraConf);
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
        .with("sluice.worker.data.port", Integer.toString(workerDataPorts[0]))
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
    startWorker(0);
  }

  void startWorker(int i) throws IOException {
    workers[i] = new WorkerServer(workerConf(i));
    workers[i].start();
  }

  /** The configuration of worker {@code i}: worker 0 of a one-worker cluster runs on {@link #conf()} itself. */
  private SluiceConf workerConf(int i) throws IOException {
    if (workers.length == 1) {
      return conf();
    }
    SluiceConf c = conf()
        .with("sluice.worker.data.port", Integer.toString(workerDataPorts[i]))
        .with("sluice.worker.http.port", "0")
        .with("sluice.worker.tiers", "HDD:" + dir.resolve("worker-" + i) + ":4g");
    if (i == 0) {
      InetAddress self = InetAddress.getLocalHost();
      c = c.with("sluice.worker.host", self.getHostName()).with("sluice.worker.bind.host", self.getHostAddress());
    }
    return c;
  }

  /** The running master's HTTP address (/metrics), if it serves one. */
  java.util.Optional<java.net.InetSocketAddress> masterHttp() {
    return master == null ? java.util.Optional.empty() : master.httpAddress();
  }

  /** The running worker's HTTP address (/metrics), if it serves one. */
  java.util.Optional<java.net.InetSocketAddress> workerHttp() {
    return workers[0] == null ? java.util.Optional.empty() : workers[0].httpAddress();
  }

  void stopWorker() throws IOException {
    stopWorker(0);
  }

  void stopWorker(int i) {
    workers[i].close();
    workers[i] = null;
  }

  /** The running worker {@code i}, or null while it is stopped. */
  WorkerServer worker(int i) {
    return workers[i];
  }

  SluiceClient client() throws IOException {
    return SluiceClient.connect(conf());
  }

  /** Waits until the master lists a live worker. */
  void awaitWorker(SluiceClient client) throws Exception {
    awaitWorkers(client, 1);
  }

  /** Waits until the master lists at least {@code n} live workers. */
  void awaitWorkers(SluiceClient client, int n) throws Exception {
    await(() -> {
      try {
        return client.clusterInfo().getWorkersList().stream().filter(w -> w.getLive()).count() >= n;
      } catch (IOException e) {
        return false;
      }
    }, Duration.ofSeconds(60), n + " live worker(s)");
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
    for (int i = 0; i < workers.length; i++) {
      if (workers[i] != null) {
        stopWorker(i);
      }
    }
    if (master != null) {
      stopMaster();
    }
  }
}
