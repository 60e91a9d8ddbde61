package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cli.SluiceMain;
import io.sluice.client.SluiceClient;
import io.sluice.common.conf.CommonKeys;
import io.sluice.common.proto.BlockInfo;
import io.sluice.common.proto.BlockLocation;
import io.sluice.common.rpc.RpcException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code sluice admin decommission} on a real master and three real workers: a Sluice-native file written with one
 * replica lives only on worker 0 (the client's local worker); decommissioning it through the CLI copies every block
 * to the other workers, after which worker 0 is stopped and the whole file still reads back byte for byte. New files
 * avoid the worker from the start of the decommission, and cancelling returns it to placement.
 */
class DecommissionTest {
  private static final int BLOCK = 1 << 20;
  private static final int WORKERS = 3;

  @TempDir
  Path dir;

  private LocalCluster start() throws Exception {
    LocalCluster c = LocalCluster.withWorkers(dir, WORKERS, "sluice.user.block.size", Integer.toString(BLOCK),
        "sluice.user.write.chunk.size", "256k", "sluice.user.replicas", "1",
        "sluice.master.decommission.interval", "100ms");
    try {
      c.startMaster();
      for (int i = 0; i < WORKERS; i++) {
        c.startWorker(i);
      }
      return c;
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** Exit code, stdout and stderr of one CLI run. */
  private record Run(int code, String out, String err) {}

  /** Runs the CLI in this JVM against the cluster's master, capturing what it prints. */
  private static Run cli(LocalCluster c, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--conf");
    all.add("sluice.master.addresses=" + c.conf().get(CommonKeys.MASTER_ADDRESSES));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    PrintStream oldOut = System.out;
    CommandLine cl = SluiceMain.commandLine();
    cl.setErr(new PrintWriter(err));
    PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    cl.setOut(new PrintWriter(capture, true));
    System.setOut(capture);
    try {
      int code = cl.execute(all.toArray(String[]::new));
      capture.flush();
      return new Run(code, bytes.toString(StandardCharsets.UTF_8), err.toString());
    } finally {
      System.setOut(oldOut);
    }
  }

  private static byte[] data(int length, long seed) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static void write(SluiceClient client, String path, byte[] data) throws IOException {
    try (OutputStream out = client.create(path)) {
      out.write(data);
    }
  }

  private static byte[] readAll(SluiceClient client, String path) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = client.open(path)) {
      in.transferTo(out);
    }
    return out.toByteArray();
  }

  private static Set<Long> holders(SluiceClient client, String path) throws RpcException {
    Set<Long> ids = new java.util.HashSet<>();
    for (BlockInfo b : client.getBlockLocations(path)) {
      b.getLocationsList().stream().map(BlockLocation::getWorkerId).forEach(ids::add);
    }
    return ids;
  }

  /** Waits until every block of {@code path} is listed on exactly the workers {@code expected}. */
  private static void awaitHolders(SluiceClient client, String path, Set<Long> expected) throws Exception {
    LocalCluster.await(() -> {
      try {
        return client.getBlockLocations(path).stream().allMatch(b -> b.getLocationsList().stream()
            .map(BlockLocation::getWorkerId).collect(Collectors.toSet()).equals(expected));
      } catch (RpcException e) {
        return false;
      }
    }, Duration.ofSeconds(30), path + " on workers " + expected);
  }

  @Test
  void aDecommissionedWorkerCanBeStoppedWithoutLosingItsOnlyCopies() throws Exception {
    try (LocalCluster c = start(); SluiceClient client = c.client()) {
      c.awaitWorkers(client, WORKERS);
      long gone = c.worker(0).workerId();
      byte[] data = data(5 * BLOCK + 54_321, 8);
      write(client, "/only-here.bin", data);
      assertEquals(6, client.getStatus("/only-here.bin").getBlocksCount());
      awaitHolders(client, "/only-here.bin", Set.of(gone));

      Run started = cli(c, "admin", "decommission", Long.toString(gone));
      assertEquals(0, started.code(), started.toString());
      assertTrue(started.out().contains("worker " + gone), started.out());
      // Reads keep working while the blocks are being copied away.
      assertArrayEquals(data, readAll(client, "/only-here.bin"), "read while decommissioning");
      // From now on no new block lands on it, though the client is on its host.
      byte[] later = data(3 * BLOCK + 7, 9);
      write(client, "/written-after.bin", later);
      assertFalse(holders(client, "/written-after.bin").contains(gone), "a new file avoids the worker");

      Run waited = cli(c, "admin", "decommission", Long.toString(gone), "--wait", "--timeout", "60s");
      assertEquals(0, waited.code(), waited.toString());
      assertTrue(waited.out().contains("it can be stopped safely"), waited.out());
      Run status = cli(c, "admin", "decommission", "--status", "--output", "json", Long.toString(gone));
      assertEquals(0, status.code(), status.toString());
      assertTrue(status.out().contains("\"state\":\"DECOMMISSIONED\""), status.out());
      assertTrue(status.out().contains("\"remainingBlocks\":\"0\""), status.out()); // int64 as JSON strings
      Run workers = cli(c, "admin", "workers");
      assertEquals(0, workers.code(), workers.toString());
      assertTrue(workers.out().contains("decommissioned"), workers.out());
      // Drained means held elsewhere: the master no longer sends readers to the worker at all.
      assertFalse(holders(client, "/only-here.bin").contains(gone));

      double copied = 0;
      for (int i = 1; i < WORKERS; i++) {
        copied += Scrape.value(c.worker(i).httpAddress().orElseThrow(), "sluice_worker_blocks_copied_total");
      }
      assertEquals(6, copied, "every block of the file copied once, worker to worker");

      c.stopWorker(0);
      assertArrayEquals(data, readAll(client, "/only-here.bin"), "read with the decommissioned worker stopped");
      assertArrayEquals(later, readAll(client, "/written-after.bin"));
    }
  }

  @Test
  void cancelReturnsTheWorkerToPlacement() throws Exception {
    try (LocalCluster c = start(); SluiceClient client = c.client()) {
      c.awaitWorkers(client, WORKERS);
      long worker = c.worker(0).workerId();
      String address = "127.0.0.1:" + c.worker(1).dataAddress().getPort();
      Run other = cli(c, "admin", "decommission", "--status", address);
      assertEquals(0, other.code(), other.toString());
      assertTrue(other.out().contains("is in service"), other.out());
      Run started = cli(c, "admin", "decommission", Long.toString(worker), "--output", "json");
      assertEquals(0, started.code(), started.toString());
      write(client, "/while-out.bin", data(2 * BLOCK, 1));
      assertFalse(holders(client, "/while-out.bin").contains(worker));

      Run cancelled = cli(c, "admin", "decommission", "--cancel", Long.toString(worker));
      assertEquals(0, cancelled.code(), cancelled.toString());
      assertTrue(cancelled.out().contains("is in service"), cancelled.out());
      // Back in service and on the client's host: placement puts every new block on it first again.
      write(client, "/back.bin", data(2 * BLOCK, 2));
      assertEquals(Set.of(worker), holders(client, "/back.bin"));
    }
  }

  @Test
  void usageErrorsExitTwo() throws Exception {
    try (LocalCluster c = start(); SluiceClient client = c.client()) {
      c.awaitWorkers(client, WORKERS);
      assertEquals(2, cli(c, "admin", "decommission", "--cancel", "--wait", "1").code());
      assertEquals(2, cli(c, "admin", "decommission", "not a worker").code());
      Run unknown = cli(c, "admin", "decommission", "nohost:1");
      assertEquals(1, unknown.code(), unknown.toString());
      assertTrue(unknown.err().contains("no worker at nohost:1"), unknown.err());
    }
  }
}
