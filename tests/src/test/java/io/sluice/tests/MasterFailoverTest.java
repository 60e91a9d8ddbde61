package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.SluiceClient;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.testing.FreePort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

  private MasterProcesses masters;

  @AfterEach
  void stopAll(org.junit.jupiter.api.TestInfo test) throws Exception {
    if (masters != null) {
      // Keep the masters' logs where a failed run can be read (the temp dir is removed), one folder per test.
      masters.close("failover-logs", test.getTestMethod().map(m -> m.getName()).orElse("test"));
    }
  }

  @Test
  void killingTheLeaderLosesNoAcknowledgedOperation() throws Exception {
    masters = new MasterProcesses(dir, MASTERS).startAll();
    SluiceConf conf = SluiceConf.defaults().with("sluice.master.addresses", masters.addresses())
        .with("sluice.user.master.retry.budget", "60s").with("sluice.rpc.call.timeout", "5s");
    Path ufs = Files.createDirectories(dir.resolve("ufs"));
    Files.writeString(ufs.resolve("kept.txt"), "in the UFS");
    try (SluiceClient client = SluiceClient.connect(conf)) {
      client.mkdir("/w", false);
      client.mount("/mnt", ufs.toUri(), io.sluice.client.MountOptions.defaults());
      Set<String> acked;
      try (Writer writer = new Writer(client)) {
        for (int round = 0; round < 3; round++) {
          writer.awaitMore(30);
          int l = masters.leader();
          masters.kill(l);
          writer.awaitMore(30); // progress with the leader dead
          masters.start(l);
        }
        acked = writer.stop();
      }
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
    }
    assertTrue(Files.readString(masters.log(0)).contains("started in a group of 3"));
  }

  /**
   * With {@code sluice.master.journal.sync=false} an entry is acknowledged once it is written to the log file, before
   * its disk sync: a sole master killed (SIGKILL) under a stream of creates and started again still has every
   * operation it acknowledged, as its kernel kept what the process wrote.
   */
  @Test
  void aSoleMasterThatDoesNotSyncItsJournalKeepsEveryAcknowledgedOperationWhenKilled() throws Exception {
    masters = new MasterProcesses(dir, 1, "sluice.master.journal.sync=false").startAll();
    SluiceConf conf = SluiceConf.defaults().with("sluice.master.addresses", masters.addresses())
        .with("sluice.user.master.retry.budget", "60s").with("sluice.rpc.call.timeout", "5s");
    try (SluiceClient client = SluiceClient.connect(conf)) {
      client.mkdir("/w", false);
      Set<String> acked;
      try (Writer writer = new Writer(client)) {
        for (int round = 0; round < 2; round++) {
          writer.awaitMore(200);
          masters.kill(0);
          masters.start(0);
        }
        writer.awaitMore(50);
        acked = writer.stop();
      }
      Set<String> listed = new TreeSet<>();
      for (FileInfo f : client.listStatus("/w")) {
        listed.add(f.getName());
      }
      assertEquals(new TreeSet<>(acked), listed, "exactly the acknowledged operations, each once");
    }
    assertTrue(Files.readString(masters.log(0)).contains("acknowledged before they are synced"),
        "the master says it does not sync");
  }

  /** Creates directories and files under /w without pause, on a thread of its own, until stopped. */
  private static final class Writer implements AutoCloseable {
    private final Set<String> acked = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;

    Writer(SluiceClient client) {
      thread = new Thread(() -> {
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
      thread.start();
    }

    /** Waits for {@code n} more acknowledged operations; fails at the writer's first failure or a stall. */
    void awaitMore(int n) throws InterruptedException {
      int target = acked.size() + n;
      LocalCluster.await(() -> {
        if (!failures.isEmpty()) {
          throw new AssertionError(failures.peek().getMessage(), failures.peek().getCause());
        }
        if (!thread.isAlive()) {
          throw new AssertionError("writer ended at " + acked.size() + " acknowledged operations");
        }
        return acked.size() >= target;
      }, Duration.ofSeconds(120), target + " acknowledged operations (the writer stalled)");
    }

    /** Stops the writer after its operation in flight; the names of the operations acknowledged. */
    Set<String> stop() throws InterruptedException {
      close();
      thread.join(TimeUnit.SECONDS.toMillis(120));
      assertFalse(thread.isAlive(), "the writer stopped");
      assertTrue(failures.isEmpty(), () -> failures.peek().toString() + ": " + failures.peek().getCause());
      return acked;
    }

    /** Asks the writer to stop, without waiting: where a test ends early, its thread must not keep writing. */
    @Override
    public void close() {
      stop.set(true);
    }
  }

  /**
   * A file written before the leader dies reads back right after: the new leader knows no worker yet (soft state),
   * says its locations are pending, and the client asks again until the worker has re-registered with its block
   * report. The worker heartbeats every 3 s, so the gap is real.
   */
  @Test
  void readsWorkRightAfterTheLeaderDies() throws Exception {
    masters = new MasterProcesses(dir, MASTERS).startAll();
    SluiceConf conf = SluiceConf.defaults().with("sluice.master.addresses", masters.addresses())
        .with("sluice.user.master.retry.budget", "60s").with("sluice.user.block.size", "1m")
        .with("sluice.worker.host", "127.0.0.1").with("sluice.worker.bind.host", "127.0.0.1")
        .with("sluice.worker.data.port", Integer.toString(FreePort.pick()))
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
      int l = masters.leader();
      masters.kill(l);
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
    masters = new MasterProcesses(dir, MASTERS).startAll();
    Path ufs = Files.createDirectories(dir.resolve("ufs"));
    int dirs = 20;
    int perDir = 100;
    for (int d = 0; d < dirs; d++) {
      Path sub = Files.createDirectories(ufs.resolve("d" + d));
      for (int f = 0; f < perDir; f++) {
        Files.write(sub.resolve("f" + f), new byte[4096 + f]);
      }
    }
    SluiceConf conf = SluiceConf.defaults().with("sluice.master.addresses", masters.addresses())
        .with("sluice.user.master.retry.budget", "60s")
        .with("sluice.worker.host", "127.0.0.1").with("sluice.worker.bind.host", "127.0.0.1")
        .with("sluice.worker.data.port", Integer.toString(FreePort.pick()))
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
      int l = masters.leader();
      io.sluice.common.proto.JobStatus before = client.job(job);
      masters.kill(l);
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
      int now = masters.leader();
      masters.kill(now);
      masters.start(l);
      assertEquals(io.sluice.common.proto.JobStatus.State.SUCCEEDED, client.job(job).getState());
    }
  }
}
