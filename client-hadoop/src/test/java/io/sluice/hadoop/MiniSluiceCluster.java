package io.sluice.hadoop;

import io.sluice.client.SluiceClient;
import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.testing.FreePort;
import io.sluice.master.MasterServer;
import io.sluice.worker.WorkerServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real master and one real worker in this JVM on loopback, shared by every test class of the module (the
 * Hadoop contract suites alone are seven classes): started on first use, stopped when the JUnit launcher session
 * ends ({@link ClusterSessionListener}). A trimmed copy of {@code tests/LocalCluster}, so this module does not
 * depend on the tests module.
 */
public final class MiniSluiceCluster {
  private static final Logger LOG = LoggerFactory.getLogger(MiniSluiceCluster.class);
  /** A user that is not the superuser, with a group the master knows without asking the OS. */
  static final String OTHER_USER = "alice";

  private static MiniSluiceCluster shared;

  private final Path dir;
  private final SluiceConf conf;
  private MasterServer master;
  private WorkerServer worker;

  private MiniSluiceCluster(Path dir) throws IOException {
    this.dir = dir;
    int rpcPort = FreePort.pick();
    this.conf = SluiceConf.defaults()
        .with("sluice.master.addresses", "127.0.0.1:" + rpcPort)
        .with("sluice.master.host", "127.0.0.1")
        .with("sluice.master.rpc.port", Integer.toString(rpcPort))
        .with("sluice.master.raft.port", Integer.toString(FreePort.pick()))
        // Ephemeral status ports: the defaults (7072, 7082) collide with any other Sluice on this host.
        .with("sluice.master.http.port", "0").with("sluice.worker.http.port", "0")
        .with("sluice.master.dir", dir.resolve("master").toString())
        .with("sluice.security.groups.static", OTHER_USER + "=users")
        .with("sluice.worker.host", "127.0.0.1")
        .with("sluice.worker.bind.host", "127.0.0.1")
        .with("sluice.worker.data.port", Integer.toString(FreePort.pick()))
        .with("sluice.worker.tiers", "HDD:" + dir.resolve("worker") + ":4g")
        .with("sluice.worker.heartbeat.interval", "200ms");
  }

  /** The shared cluster, started (with a live worker) on first call. */
  public static synchronized MiniSluiceCluster get() {
    if (shared == null) {
      try {
        MiniSluiceCluster c = new MiniSluiceCluster(scratchDir());
        try {
          c.start();
        } catch (Exception | LinkageError e) {
          // Stopped here, so the next test class tries afresh instead of talking to a half-started cluster.
          c.close();
          throw e;
        }
        shared = c;
      } catch (Exception e) {
        throw new IllegalStateException("cannot start the test cluster", e);
      }
    }
    return shared;
  }

  /** Stops the shared cluster if it was started. */
  static synchronized void shutdown() {
    if (shared != null) {
      try {
        shared.close();
      } finally {
        shared = null;
      }
    }
  }

  /** {@code sluice://127.0.0.1:port/}: the master's address as the URI authority. */
  public URI uri() {
    return URI.create("sluice://" + conf.get(CommonKeys.MASTER_ADDRESSES) + "/");
  }

  /** A Hadoop configuration naming the masters, as core-site.xml would. */
  public Configuration hadoopConf() {
    Configuration c = new Configuration();
    c.set("sluice.master.addresses", conf.get(CommonKeys.MASTER_ADDRESSES));
    c.set("fs.defaultFS", uri().toString());
    return c;
  }

  private void start() throws Exception {
    long t0 = System.nanoTime();
    master = new MasterServer(conf);
    master.start();
    worker = new WorkerServer(conf);
    worker.start();
    try (SluiceClient client = SluiceClient.connect(conf)) {
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (!client.clusterInfo().getWorkersList().stream().anyMatch(w -> w.getLive())) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("timed out waiting for a live worker");
        }
        Thread.sleep(50);
      }
    }
    LOG.info("test cluster up at {} in {} ms", uri(), (System.nanoTime() - t0) / 1_000_000);
  }

  private void close() {
    try {
      if (worker != null) {
        worker.close();
      }
    } finally {
      if (master != null) {
        master.close();
      }
      deleteTree(dir);
    }
  }

  /**
   * On tmpfs when there is one: every namespace change is a Raft log append with an fsync, and on this VM's disk
   * those dominate the run time of the suites.
   */
  private static Path scratchDir() throws IOException {
    Path shm = Path.of("/dev/shm");
    return Files.isDirectory(shm) && Files.isWritable(shm)
        ? Files.createTempDirectory(shm, "sluice-hadoop-test") : Files.createTempDirectory("sluice-hadoop-test");
  }


  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
