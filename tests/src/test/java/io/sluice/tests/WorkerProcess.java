package io.sluice.tests;

import io.sluice.common.testing.FreePort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A worker as a separate process on loopback, for fault tests that kill it with SIGKILL (no clean stop: its sockets
 * are reset by the kernel, its leases never released). Logs to {@code worker-<name>.log} in its directory.
 */
final class WorkerProcess implements AutoCloseable {
  private final Process process;
  private final InetSocketAddress http;

  private WorkerProcess(Process process, InetSocketAddress http) {
    this.process = process;
    this.http = http;
  }

  /** Starts a worker of the master(s) at {@code masters} with an HDD tier in {@code dir}. */
  static WorkerProcess start(Path dir, String name, String masters) throws IOException {
    int httpPort = FreePort.pick();
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), "io.sluice.cli.SluiceMain", "worker",
        "--conf", "sluice.master.addresses=" + masters,
        "--conf", "sluice.worker.host=127.0.0.1",
        "--conf", "sluice.worker.bind.host=127.0.0.1",
        "--conf", "sluice.worker.data.port=" + FreePort.pick(),
        "--conf", "sluice.worker.http.port=" + httpPort,
        "--conf", "sluice.worker.heartbeat.interval=200ms",
        "--conf", "sluice.worker.tiers=HDD:" + dir.resolve(name) + ":1g"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("worker-" + name + ".log").toFile())).start();
    return new WorkerProcess(p, new InetSocketAddress("127.0.0.1", httpPort));
  }

  /** Its /metrics address. */
  InetSocketAddress http() {
    return http;
  }

  /** SIGKILL, and waits until it is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("worker did not die");
    }
  }

  /** Kills it (if still alive) and waits a while for it to go; an interrupt stops the waiting, not the kill. */
  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
