package io.sluice.bench;

import io.sluice.client.SluiceClient;
import io.sluice.common.conf.SluiceConf;
import io.sluice.master.MasterServer;
import io.sluice.worker.WorkerServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;

/** One master and one worker in this JVM on loopback, for the benches; returns once the worker is live. */
final class BenchCluster implements AutoCloseable {
  private final SluiceConf conf;
  private final MasterServer master;
  private final WorkerServer worker;

  /**
   * @param tiers the worker's {@code sluice.worker.tiers}
   * @param extra more keys and values, in pairs
   */
  BenchCluster(Path dir, String tiers, String... extra) throws Exception {
    int rpc = freePort();
    SluiceConf c = SluiceConf.defaults().with("sluice.master.addresses", "127.0.0.1:" + rpc)
        .with("sluice.master.host", "127.0.0.1").with("sluice.master.rpc.port", Integer.toString(rpc))
        .with("sluice.master.raft.port", Integer.toString(freePort()))
        .with("sluice.master.http.port", "0").with("sluice.worker.http.port", "0")
        .with("sluice.master.dir", dir.resolve("master").toString())
        .with("sluice.worker.host", "127.0.0.1").with("sluice.worker.bind.host", "127.0.0.1")
        .with("sluice.worker.data.port", Integer.toString(freePort())).with("sluice.worker.tiers", tiers)
        .with("sluice.worker.heartbeat.interval", "200ms");
    for (int i = 0; i + 1 < extra.length; i += 2) {
      c = c.with(extra[i], extra[i + 1]);
    }
    conf = c;
    master = new MasterServer(conf).start();
    worker = new WorkerServer(conf).start();
    try (SluiceClient client = client()) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (client.clusterInfo().getWorkersList().stream().noneMatch(w -> w.getLive())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("no live worker after 30 s");
        }
        Thread.sleep(50);
      }
    }
  }

  /** Waits for the worker's MEM pre-touch ({@code sluice.worker.mem.pretouch}) to finish. */
  void awaitPretouch() throws InterruptedException {
    if (!worker.awaitPretouch(Duration.ofMinutes(5))) {
      throw new IllegalStateException("the worker's MEM pre-touch did not finish in 5 minutes");
    }
  }

  SluiceConf conf() {
    return conf;
  }

  SluiceClient client() {
    return SluiceClient.connect(conf);
  }

  @Override
  public void close() {
    worker.close();
    master.close();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
