package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.SluiceClient;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.GetClusterInfoRequest;
import io.sluice.common.proto.GetClusterInfoResponse;
import io.sluice.common.proto.MasterMethod;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three masters as separate processes on loopback; a writer creates directories and files without pause while
 * the leader is killed (SIGKILL, no clean stop) three times and restarted. Every operation must be acknowledged
 * within the client's retry budget, and afterwards the namespace holds exactly the acknowledged ones: none lost,
 * none doubled, none half-applied.
 */
class MasterFailoverTest {
  private static final int MASTERS = 3;

  @TempDir
  Path dir;

  private final int[] rpc = new int[MASTERS];
  private final int[] raft = new int[MASTERS];
  private final Process[] masters = new Process[MASTERS];

  private String addresses() {
    List<String> a = new ArrayList<>();
    for (int p : rpc) {
      a.add("127.0.0.1:" + p);
    }
    return String.join(",", a);
  }

  private String raftAddresses() {
    List<String> a = new ArrayList<>();
    for (int p : raft) {
      a.add("127.0.0.1:" + p);
    }
    return String.join(",", a);
  }

  private Process start(int i) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "-cp", System.getProperty("java.class.path"), "io.sluice.cli.SluiceMain", "master",
        "--conf", "sluice.master.addresses=" + addresses(),
        "--conf", "sluice.master.raft.addresses=" + raftAddresses(),
        "--conf", "sluice.master.host=127.0.0.1",
        "--conf", "sluice.master.rpc.port=" + rpc[i],
        "--conf", "sluice.master.raft.port=" + raft[i],
        "--conf", "sluice.master.dir=" + dir.resolve("m" + i)));
    return new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("m" + i + ".log").toFile())).start();
  }

  /** The index of the master that answers as leader, waiting for an election if needed. */
  private int leader() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    RpcOptions opts = RpcOptions.defaults().withCallTimeout(Duration.ofSeconds(2));
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < MASTERS; i++) {
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
      Thread.sleep(100);
    }
    throw new AssertionError("no leader elected");
  }

  @AfterEach
  void stopAll(org.junit.jupiter.api.TestInfo test) throws Exception {
    // Keep the masters' logs where a failed run can be read (the temp dir is removed), one folder per test.
    Path logs = Path.of("target", "failover-logs", test.getTestMethod().map(m -> m.getName()).orElse("test"));
    Files.createDirectories(logs);
    for (int i = 0; i < MASTERS; i++) {
      Path log = dir.resolve("m" + i + ".log");
      if (Files.exists(log)) {
        Files.copy(log, logs.resolve("m" + i + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    for (Process p : masters) {
      if (p != null) {
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  private static void awaitAtLeast(ConcurrentLinkedQueue<String> acked, int n, Thread writer,
      ConcurrentLinkedQueue<Throwable> failures) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (acked.size() < n) {
      if (!failures.isEmpty()) {
        throw new AssertionError(failures.peek().getMessage(), failures.peek().getCause());
      }
      if (System.nanoTime() > deadline || !writer.isAlive()) {
        throw new AssertionError("writer stalled at " + acked.size() + " acknowledged operations");
      }
      Thread.sleep(20);
    }
  }

  @Test
  void killingTheLeaderLosesNoAcknowledgedOperation() throws Exception {
    for (int i = 0; i < MASTERS; i++) {
      rpc[i] = LocalCluster.freePort();
      raft[i] = LocalCluster.freePort();
    }
    for (int i = 0; i < MASTERS; i++) {
      masters[i] = start(i);
    }
    SluiceConf conf = SluiceConf.defaults().with("sluice.master.addresses", addresses())
        .with("sluice.user.master.retry.budget", "60s").with("sluice.rpc.call.timeout", "5s");
    ConcurrentLinkedQueue<String> acked = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    AtomicBoolean stop = new AtomicBoolean();
    Path ufs = Files.createDirectories(dir.resolve("ufs"));
    Files.writeString(ufs.resolve("kept.txt"), "in the UFS");
    try (SluiceClient client = SluiceClient.connect(conf)) {
      client.mkdir("/w", false);
      client.mount("/mnt", ufs.toUri(), io.sluice.client.MountOptions.defaults());
      Thread writer = new Thread(() -> {
        for (int i = 0; !stop.get(); i++) {
          String name = (i % 2 == 0 ? "d" : "f") + i;
          try {
            if (i % 2 == 0) {
              client.mkdir("/w/" + name, false);
            } else {
              client.create("/w/" + name).close();
            }
            acked.add(name);
          } catch (IOException | RuntimeException e) {
            failures.add(new AssertionError("operation on /w/" + name + " failed", e));
            return;
          }
        }
      }, "writer");
      writer.start();
      for (int round = 0; round < 3; round++) {
        awaitAtLeast(acked, acked.size() + 30, writer, failures);
        int l = leader();
        masters[l].destroyForcibly();
        assertTrue(masters[l].waitFor(30, TimeUnit.SECONDS));
        awaitAtLeast(acked, acked.size() + 30, writer, failures); // progress with the leader dead
        masters[l] = start(l);
      }
      stop.set(true);
      writer.join(TimeUnit.SECONDS.toMillis(120));
      assertTrue(failures.isEmpty(), () -> failures.peek().toString() + ": " + failures.peek().getCause());

      Set<String> listed = new TreeSet<>();
      for (FileInfo f : client.listStatus("/w")) {
        listed.add(f.getName());
      }
      assertEquals(new TreeSet<>(acked), listed, "exactly the acknowledged operations, each once");
      assertEquals(List.of("/mnt"), client.mounts().stream().map(io.sluice.client.Mount::path).toList(),
          "the mount table survives three leader kills");
      try (java.io.InputStream in = client.open("/mnt/kept.txt")) {
        assertEquals("in the UFS", new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
      }
      assertTrue(acked.size() >= 180, "operations: " + acked.size());
    } finally {
      stop.set(true);
    }
    assertTrue(Files.readString(dir.resolve("m0.log")).contains("started in a group of 3"));
  }

  /**
   * A file written before the leader dies reads back right after: the new leader knows no worker yet (soft state),
   * says its locations are pending, and the client asks again until the worker has re-registered with its block
   * report. The worker heartbeats every 3 s, so the gap is real.
   */
  @Test
  void readsWorkRightAfterTheLeaderDies() throws Exception {
    for (int i = 0; i < MASTERS; i++) {
      rpc[i] = LocalCluster.freePort();
      raft[i] = LocalCluster.freePort();
    }
    for (int i = 0; i < MASTERS; i++) {
      masters[i] = start(i);
    }
    SluiceConf conf = SluiceConf.defaults().with("sluice.master.addresses", addresses())
        .with("sluice.user.master.retry.budget", "60s").with("sluice.user.block.size", "1m")
        .with("sluice.worker.host", "127.0.0.1").with("sluice.worker.bind.host", "127.0.0.1")
        .with("sluice.worker.data.port", Integer.toString(LocalCluster.freePort()))
        .with("sluice.worker.tiers", "HDD:" + dir.resolve("worker") + ":1g")
        .with("sluice.worker.heartbeat.interval", "3s");
    byte[] data = new byte[3 << 20];
    new java.util.Random(5).nextBytes(data);
    try (io.sluice.worker.WorkerServer worker = new io.sluice.worker.WorkerServer(conf);
        SluiceClient client = SluiceClient.connect(conf)) {
      worker.start();
      LocalCluster.await(() -> {
        try {
          return client.clusterInfo().getWorkersList().stream().anyMatch(w -> w.getLive());
        } catch (IOException e) {
          return false;
        }
      }, java.time.Duration.ofSeconds(60), "a live worker");
      try (java.io.OutputStream out = client.create("/kept")) {
        out.write(data);
      }
      int l = leader();
      masters[l].destroyForcibly();
      assertTrue(masters[l].waitFor(30, TimeUnit.SECONDS));
      byte[] back;
      try (java.io.InputStream in = client.open("/kept")) {
        back = in.readAllBytes();
      }
      assertTrue(java.util.Arrays.equals(data, back), "the file reads back whole after the failover");
    }
  }

  /**
   * A load job survives the death of the leader that started it (DESIGN §5): the job is journaled, the next leader
   * runs it again, and the client polling its status through the failover sees it end with every file loaded.
   */
  @Test
  void aLoadJobFinishesOnTheNextLeaderWhenItsLeaderDies() throws Exception {
    for (int i = 0; i < MASTERS; i++) {
      rpc[i] = LocalCluster.freePort();
      raft[i] = LocalCluster.freePort();
    }
    for (int i = 0; i < MASTERS; i++) {
      masters[i] = start(i);
    }
    Path ufs = Files.createDirectories(dir.resolve("ufs"));
    int dirs = 20;
    int perDir = 100;
    for (int d = 0; d < dirs; d++) {
      Path sub = Files.createDirectories(ufs.resolve("d" + d));
      for (int f = 0; f < perDir; f++) {
        Files.write(sub.resolve("f" + f), new byte[4096 + f]);
      }
    }
    SluiceConf conf = SluiceConf.defaults().with("sluice.master.addresses", addresses())
        .with("sluice.user.master.retry.budget", "60s")
        .with("sluice.worker.host", "127.0.0.1").with("sluice.worker.bind.host", "127.0.0.1")
        .with("sluice.worker.data.port", Integer.toString(LocalCluster.freePort()))
        .with("sluice.worker.tiers", "HDD:" + dir.resolve("worker") + ":1g");
    try (io.sluice.worker.WorkerServer worker = new io.sluice.worker.WorkerServer(conf);
        SluiceClient client = SluiceClient.connect(conf)) {
      worker.start();
      LocalCluster.await(() -> {
        try {
          return client.clusterInfo().getWorkersList().stream().anyMatch(w -> w.getLive());
        } catch (IOException e) {
          return false;
        }
      }, java.time.Duration.ofSeconds(60), "a live worker");
      client.mount("/data", ufs.toUri(), io.sluice.client.MountOptions.defaults());
      long job = client.load("/data");
      int l = leader();
      io.sluice.common.proto.JobStatus before = client.job(job);
      masters[l].destroyForcibly();
      assertTrue(masters[l].waitFor(30, TimeUnit.SECONDS));
      assertTrue(before.getEndMs() == 0, "the job was still running when its leader died: " + before);
      io.sluice.common.proto.JobStatus after = before;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (after.getEndMs() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(200);
        after = client.job(job);
      }
      assertEquals(io.sluice.common.proto.JobStatus.State.SUCCEEDED, after.getState(), after.toString());
      assertEquals(dirs * perDir, after.getFilesTotal(), after.toString());
      assertEquals(dirs * perDir, after.getFilesDone(), after.toString());
      for (String f : List.of("/data/d0/f0", "/data/d9/f50", "/data/d19/f99")) {
        assertTrue(client.getBlockLocations(f).stream().allMatch(b -> b.getCached()), f + " is cached");
      }
      // The outcome is journaled: the master that leads now answers for it.
      int now = leader();
      masters[now].destroyForcibly();
      assertTrue(masters[now].waitFor(30, TimeUnit.SECONDS));
      masters[l] = start(l);
      assertEquals(io.sluice.common.proto.JobStatus.State.SUCCEEDED, client.job(job).getState());
    }
  }
}
