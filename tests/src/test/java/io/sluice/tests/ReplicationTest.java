package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.CreateOptions;
import io.sluice.client.SluiceClient;
import io.sluice.common.proto.BlockInfo;
import io.sluice.common.proto.BlockLocation;
import io.sluice.common.rpc.RpcException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replicated writes (DESIGN §5) on a real master and three real workers: every replica is readable alone, a
 * downstream worker lost mid-write costs replicas but not the write, and losing the first worker fails the write
 * clearly instead of leaving a short file.
 */
class ReplicationTest {
  private static final int BLOCK = 4 << 20;
  private static final int WORKERS = 3;

  @TempDir
  Path dir;

  private LocalCluster start(String... more) throws Exception {
    List<String> conf = new java.util.ArrayList<>(List.of("sluice.user.block.size", Integer.toString(BLOCK),
        "sluice.user.write.chunk.size", "256k", "sluice.user.replicas", "3"));
    conf.addAll(List.of(more));
    LocalCluster c = LocalCluster.withWorkers(dir, WORKERS, conf.toArray(String[]::new));
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

  private static byte[] data(int length, long seed) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] readAll(SluiceClient client, String path) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = client.open(path)) {
      in.transferTo(out);
    }
    return out.toByteArray();
  }

  private static Set<Long> holders(BlockInfo b) {
    return b.getLocationsList().stream().map(BlockLocation::getWorkerId).collect(Collectors.toSet());
  }

  private static Set<Long> ids(LocalCluster c, int... workers) {
    Set<Long> ids = new java.util.HashSet<>();
    for (int i : workers) {
      ids.add(c.worker(i).workerId());
    }
    return ids;
  }

  /** Waits until the master lists every block of {@code path} on exactly {@code expected}. */
  private static void awaitHolders(SluiceClient client, String path, Set<Long> expected) throws Exception {
    LocalCluster.await(() -> {
      try {
        return client.getBlockLocations(path).stream().allMatch(b -> holders(b).equals(expected));
      } catch (RpcException e) {
        return false;
      }
    }, Duration.ofSeconds(30), path + " on workers " + expected);
  }

  @Test
  void aReplicatedFileIsReadableWithAnyOneWorkerStopped() throws Exception {
    try (LocalCluster c = start(); SluiceClient client = c.client()) {
      c.awaitWorkers(client, WORKERS);
      byte[] data = data(2 * BLOCK + 12_345, 1);
      try (OutputStream out = client.create("/r3.bin")) {
        out.write(data);
      }
      assertEquals(3, client.getStatus("/r3.bin").getBlocksCount());
      // Every worker that committed is a location: the pipeline reported each replica to the master.
      Set<Long> all = ids(c, 0, 1, 2);
      awaitHolders(client, "/r3.bin", all);
      for (int stopped = 0; stopped < WORKERS; stopped++) {
        c.stopWorker(stopped);
        assertArrayEquals(data, readAll(client, "/r3.bin"), "read with worker " + stopped + " stopped");
        c.startWorker(stopped);
        // Back with the same address (so the same id) and its blocks: the next round relies on its replicas.
        awaitHolders(client, "/r3.bin", all);
      }
    }
  }

  /**
   * Writes {@code data} to {@code path} on another thread, which stops once {@code pauseAt} bytes were written (in
   * the middle of a block: the pipeline's streams are open and hold part of it) until {@code resume} counts down.
   *
   * @return completes when the file is closed, or with the writer's failure
   */
  private static CompletableFuture<Void> write(SluiceClient client, String path, byte[] data, int pauseAt,
      CountDownLatch paused, CountDownLatch resume) {
    return CompletableFuture.runAsync(() -> {
      try (OutputStream out = client.create(path, CreateOptions.defaults().withReplicas(3))) {
        out.write(data, 0, pauseAt);
        paused.countDown();
        if (!resume.await(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("never resumed");
        }
        out.write(data, pauseAt, data.length - pauseAt);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }, r -> new Thread(r, "writer " + path).start());
  }

  /** Bytes of {@code blockId} in the temp files under {@code workerDir} (0 when none is being written). */
  private static long tempBytes(Path workerDir, long blockId) {
    try (var files = Files.walk(workerDir)) {
      return files.filter(p -> p.getParent().getFileName().toString().equals("tmp")
          && p.getFileName().toString().startsWith(blockId + "-")).mapToLong(p -> {
            try {
              return Files.size(p);
            } catch (IOException e) {
              return 0; // committed or aborted meanwhile
            }
          }).sum();
    } catch (IOException | java.io.UncheckedIOException e) {
      return 0; // a file went away during the walk: look again
    }
  }

  @Test
  void aDownstreamWorkerStoppedMidWriteLeavesACompleteFile() throws Exception {
    // The stopped worker stays a known holder of the blocks it got (checked at the end) however slow the rest is.
    try (LocalCluster c = start("sluice.master.worker.timeout", "10m"); SluiceClient client = c.client()) {
      c.awaitWorkers(client, WORKERS);
      long first = c.worker(0).workerId();
      long lost = c.worker(1).workerId();
      long third = c.worker(2).workerId();
      byte[] data = data(10 * BLOCK + 777, 2);
      // Block 4 is half written when worker 1 (second or third in its pipeline: worker 0 is always first) stops.
      int pauseAt = 4 * BLOCK + BLOCK / 2;
      CountDownLatch paused = new CountDownLatch(1);
      CountDownLatch resume = new CountDownLatch(1);
      CompletableFuture<Void> writer = write(client, "/big.bin", data, pauseAt, paused, resume);
      assertTrue(paused.await(60, TimeUnit.SECONDS), "the writer never got half way");
      // What the client sent may still be on its way: stop worker 1 once it holds part of block 4.
      long block4 = (client.getStatus("/big.bin").getId() << 20) | 4;
      LocalCluster.await(() -> tempBytes(dir.resolve("worker-1"), block4) > 0, Duration.ofSeconds(30),
          "worker 1 to receive part of block 4");
      c.stopWorker(1);
      resume.countDown();
      assertNull(writer.get(120, TimeUnit.SECONDS)); // throws the writer's failure, if any

      assertTrue(client.getStatus("/big.bin").getComplete());
      assertEquals(data.length, client.getStatus("/big.bin").getLength());
      assertArrayEquals(data, readAll(client, "/big.bin"));
      List<BlockInfo> blocks = client.getBlockLocations("/big.bin");
      assertEquals(11, blocks.size());
      for (int i = 0; i < blocks.size(); i++) {
        Set<Long> on = holders(blocks.get(i));
        if (i < 4) {
          assertEquals(Set.of(first, lost, third), on, "block " + i + " was written before the stop");
        } else if (i == 4) {
          // The block in flight: worker 2 lost too when worker 1 was the one forwarding to it.
          assertTrue(on.contains(first) && !on.contains(lost), "block 4 on " + on);
        } else {
          // Worker 1 may still be placed (the master has not noticed yet): it is skipped.
          assertEquals(Set.of(first, third), on, "block " + i + " was written after the stop");
        }
      }
    }
  }

  @Test
  void theFirstWorkerStoppedMidWriteFailsTheWriteClearly() throws Exception {
    try (LocalCluster c = start(); SluiceClient client = c.client()) {
      c.awaitWorkers(client, WORKERS);
      String firstPort = Integer.toString(c.worker(0).dataAddress().getPort());
      byte[] data = data(4 * BLOCK, 3);
      CountDownLatch paused = new CountDownLatch(1);
      CountDownLatch resume = new CountDownLatch(1);
      CompletableFuture<Void> writer = write(client, "/lost.bin", data, BLOCK + BLOCK / 2, paused, resume);
      assertTrue(paused.await(60, TimeUnit.SECONDS), "the writer never got half way");
      c.stopWorker(0);
      resume.countDown();
      Throwable failure = null;
      try {
        writer.get(120, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        failure = e.getCause();
      }
      assertNotNull(failure, "the write succeeded although its first worker stopped mid-block");
      assertTrue(failure.getCause() instanceof IOException, String.valueOf(failure));
      String msg = failure.getCause().getMessage();
      assertTrue(msg.contains("/lost.bin") && msg.contains("block ") && msg.contains(":" + firstPort), msg);
      // Never a silently short file: it was not completed.
      assertFalse(client.getStatus("/lost.bin").getComplete());
    }
  }
}
