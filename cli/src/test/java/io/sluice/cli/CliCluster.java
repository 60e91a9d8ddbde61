package io.sluice.cli;

import io.sluice.client.SluiceClient;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.testing.FreePort;
import io.sluice.master.MasterServer;
import io.sluice.worker.WorkerServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import picocli.CommandLine;

/**
 * A real master and a real worker in this JVM on loopback ports picked free, and a way to run {@code sluice}
 * commands against them as a user would, capturing what they print and their exit code.
 */
public final class CliCluster implements AutoCloseable {
  private final Map<String, String> conf = new LinkedHashMap<>();
  private final MasterServer master;
  private final WorkerServer worker;

  /** What a command printed and returned. */
  public record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  public CliCluster(Path dir) throws IOException {
    int rpc = freePort();
    conf.put("sluice.master.addresses", "127.0.0.1:" + rpc);
    conf.put("sluice.master.host", "127.0.0.1");
    conf.put("sluice.master.rpc.port", Integer.toString(rpc));
    conf.put("sluice.master.raft.port", Integer.toString(freePort()));
    conf.put("sluice.master.http.port", "0");
    conf.put("sluice.master.dir", dir.resolve("master").toString());
    conf.put("sluice.worker.host", "127.0.0.1");
    conf.put("sluice.worker.bind.host", "127.0.0.1");
    conf.put("sluice.worker.data.port", Integer.toString(freePort()));
    // Fixed, not 0: the CLI finds a worker's status on the configured port (the worker does not advertise it).
    conf.put("sluice.worker.http.port", Integer.toString(freePort()));
    conf.put("sluice.worker.tiers", "HDD:" + dir.resolve("worker") + ":64m");
    conf.put("sluice.worker.heartbeat.interval", "200ms");
    // A block being written reserves a whole block size: 64m blocks in a 64m tier would evict each other.
    conf.put("sluice.user.block.size", "1m");
    // A call fails within seconds when the master is gone, instead of retrying for the default 30 s.
    conf.put("sluice.user.master.retry.budget", "2s");
    conf.put("sluice.rpc.connect.timeout", "2s");
    master = new MasterServer(serverConf());
    master.start();
    WorkerServer w = new WorkerServer(serverConf());
    try {
      w.start();
    } catch (IOException | RuntimeException e) {
      master.close();
      throw e;
    }
    worker = w;
  }

  private SluiceConf serverConf() {
    SluiceConf c = SluiceConf.defaults();
    for (Map.Entry<String, String> e : conf.entrySet()) {
      c = c.with(e.getKey(), e.getValue());
    }
    return c;
  }

  /** The configuration a command gets, as {@code --conf} options. */
  public Map<String, String> conf() {
    return conf;
  }

  public String masterAddress() {
    return conf.get("sluice.master.addresses");
  }

  /** A client for setting up what the commands then look at. */
  public SluiceClient client() {
    return SluiceClient.connect(serverConf());
  }

  /** Waits until the master lists the worker as live with its capacity. */
  public void awaitWorker() throws Exception {
    try (SluiceClient c = client()) {
      await(() -> {
        try {
          return c.clusterInfo().getWorkersList().stream().anyMatch(w -> w.getLive() && w.getCapacityBytes() > 0);
        } catch (IOException e) {
          return false;
        }
      }, Duration.ofSeconds(60), "a live worker");
    }
  }

  /** Runs {@code sluice args... --conf k=v...} against this cluster. */
  public Result run(String... args) {
    return run(conf, args);
  }

  /** Runs {@code sluice args...} with {@code conf} as {@code --conf} options (none when empty). */
  public static Result run(Map<String, String> conf, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    conf.forEach((k, v) -> all.addAll(List.of("--conf", k + "=" + v)));
    return runRaw(all.toArray(String[]::new));
  }

  /** Runs {@code sluice args...} as given. */
  public static synchronized Result runRaw(String... args) {
    PrintStream stdout = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    int exit;
    try (PrintStream capture = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      System.setOut(capture);
      CommandLine cl = SluiceMain.commandLine();
      cl.setOut(new PrintWriter(capture, true));
      cl.setErr(new PrintWriter(err, true));
      exit = cl.execute(args);
    } finally {
      System.setOut(stdout);
    }
    return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString());
  }

  /** Polls {@code condition} until it holds, failing after {@code timeout}. */
  public static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);  // a poll interval, not a wait for something to have happened
    }
  }

  /** A port for a server that binds it later, or for an address where none listens ({@link FreePort}). */
  public static int freePort() throws IOException {
    return FreePort.pick();
  }

  @Override
  public void close() throws IOException {
    try {
      worker.close();
    } finally {
      master.close();
    }
  }
}
