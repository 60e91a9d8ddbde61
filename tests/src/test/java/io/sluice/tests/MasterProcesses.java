package io.sluice.tests;

import io.sluice.common.proto.GetClusterInfoRequest;
import io.sluice.common.proto.GetClusterInfoResponse;
import io.sluice.common.proto.MasterMethod;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.testing.FreePort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A group of masters as separate processes on loopback (ephemeral ports), for failover tests: start them, find the
 * leader, kill one with SIGKILL (no clean stop) and start it again on its old ports and directory. Each master logs
 * to {@code m<i>.log} in the test's directory; {@link #close} keeps those logs under {@code target/<logFolder>} and
 * stops every process. Public for the FUSE failover test in the {@code fuse} package.
 */
public final class MasterProcesses implements AutoCloseable {
  private final Path dir;
  private final List<String> extraConf;
  private final int[] rpc;
  private final int[] raft;
  private final Process[] masters;

  /** @param extraConf {@code key=value} settings every master gets */
  public MasterProcesses(Path dir, int count, String... extraConf) throws IOException {
    this.dir = dir;
    this.extraConf = List.of(extraConf);
    this.rpc = new int[count];
    this.raft = new int[count];
    this.masters = new Process[count];
    for (int i = 0; i < count; i++) {
      rpc[i] = FreePort.pick();
      raft[i] = FreePort.pick();
    }
  }

  public MasterProcesses startAll() throws IOException {
    for (int i = 0; i < masters.length; i++) {
      start(i);
    }
    return this;
  }

  /** The value of {@code sluice.master.addresses} for clients and workers. */
  public String addresses() {
    return loopback(rpc);
  }

  private static String loopback(int[] ports) {
    List<String> a = new ArrayList<>();
    for (int p : ports) {
      a.add("127.0.0.1:" + p);
    }
    return String.join(",", a);
  }

  /** Starts master {@code i} (again, after a kill: same ports, same directory, so it recovers its log). */
  public void start(int i) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "-cp", System.getProperty("java.class.path"), "io.sluice.cli.SluiceMain", "master",
        "--conf", "sluice.master.addresses=" + addresses(),
        "--conf", "sluice.master.raft.addresses=" + loopback(raft),
        "--conf", "sluice.master.host=127.0.0.1",
        "--conf", "sluice.master.rpc.port=" + rpc[i],
        "--conf", "sluice.master.raft.port=" + raft[i],
        "--conf", "sluice.master.dir=" + dir.resolve("m" + i)));
    for (String kv : extraConf) {
      cmd.add("--conf");
      cmd.add(kv);
    }
    masters[i] = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log(i).toFile())).start();
  }

  /** Master {@code i}'s log file. */
  public Path log(int i) {
    return dir.resolve("m" + i + ".log");
  }

  /** The index of the master that answers as leader, waiting up to a minute for an election. */
  public int leader() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    RpcOptions opts = RpcOptions.defaults().withCallTimeout(Duration.ofSeconds(2));
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < masters.length; i++) {
        if (masters[i] == null || !masters[i].isAlive()) {
          continue;
        }
        try (RpcClient c = RpcClient.connect(new InetSocketAddress("127.0.0.1", rpc[i]), opts)) {
          c.call(MasterMethod.GET_CLUSTER_INFO_VALUE, GetClusterInfoRequest.getDefaultInstance(),
              GetClusterInfoResponse.parser());
          return i;
        } catch (RpcException e) {
          // a follower, or not up yet
        }
      }
      Thread.sleep(100);  // polling for an election, bounded by the deadline
    }
    throw new AssertionError("no leader elected");
  }

  /** Kills master {@code i} with SIGKILL and waits until it is gone. */
  public void kill(int i) throws InterruptedException {
    masters[i].destroyForcibly();
    if (!masters[i].waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("master " + i + " did not die");
    }
  }

  /** Copies the logs to {@code target/<logFolder>/<test>} and stops every master. */
  public void close(String logFolder, String test) throws IOException, InterruptedException {
    Path logs = Path.of("target", logFolder, test);
    Files.createDirectories(logs);
    for (int i = 0; i < masters.length; i++) {
      if (Files.exists(log(i))) {
        Files.copy(log(i), logs.resolve("m" + i + ".log"), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    close();
  }

  /** Kills every master process and waits for each to end; an interrupt stops the waiting, not the killing. */
  @Override
  public void close() {
    boolean interrupted = false;
    for (Process p : masters) {
      if (p != null) {
        p.destroyForcibly();
        try {
          p.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
