package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.ClientKeys;
import io.sluice.client.MountOptions;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceInputStream;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Integrity end to end (issue 4) on a real master and worker: a byte flipped in a cached block file on the worker's
 * disk is caught by the reader's CRC32C check, short-circuit or remote; the worker, told, checks the block, removes
 * it and counts it; the read of a UFS-backed file goes on from the UFS without an error and the block is cached anew;
 * a Sluice-native file with no other copy fails with a clear IO_ERROR instead of returning wrong bytes.
 */
class CorruptBlockTest {
  private static final int BLOCK = 1 << 20;
  private static final int SIZE = 3 * BLOCK + 4567;
  private static final String CORRUPT = "sluice_worker_blocks_corrupt_total";

  @TempDir
  Path dir;

  private LocalCluster cluster() throws Exception {
    LocalCluster c = new LocalCluster(dir, "sluice.user.block.size", Integer.toString(BLOCK),
        "sluice.master.default.block.size", Integer.toString(BLOCK),
        "sluice.worker.http.port", "0", "sluice.master.http.port", "0");
    c.startMaster();
    c.startWorker();
    return c;
  }

  private Path blocksDir() {
    return dir.resolve("worker").resolve("blocks");
  }

  private List<Path> blockFiles() throws IOException {
    try (Stream<Path> s = Files.list(blocksDir())) {
      return s.sorted().toList();
    }
  }

  /** Flips one bit of {@code file} at {@code offset}, behind the worker's back. */
  private static void flip(Path file, long offset) throws IOException {
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      c.read(one, offset);
      one.put(0, (byte) (one.get(0) ^ 0x04)).rewind();
      c.write(one, offset);
    }
  }

  private static byte[] read(SluiceClient client, String path) throws IOException {
    try (SluiceInputStream in = client.open(path)) {
      return in.readAllBytes();
    }
  }

  private static double scrape(InetSocketAddress http, String name) {
    try {
      return Scrape.value(http, name);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aCorruptCachedBlockOfAUfsFileIsReadAgainFromTheUfsAndCachedAnew() throws Exception {
    Path ufs = Files.createDirectories(dir.resolve("ufs"));
    byte[] data = new byte[SIZE];
    new Random(11).nextBytes(data);
    Files.write(ufs.resolve("f.bin"), data);
    try (LocalCluster cluster = cluster(); SluiceClient local = cluster.client();
        SluiceClient remote = SluiceClient.connect(cluster.conf().with(ClientKeys.SHORT_CIRCUIT_ENABLED, "false"))) {
      InetSocketAddress http = cluster.workerHttp().orElseThrow();
      cluster.awaitWorker(local);
      local.mount("/local", ufs.toUri(), MountOptions.defaults());
      assertArrayEquals(data, read(local, "/local/f.bin"));
      LocalCluster.await(() -> count() == 4, Duration.ofSeconds(30), "the file's 4 blocks cached");
      assertEquals(0, scrape(http, CORRUPT));

      int round = 0;
      for (SluiceClient reader : List.of(local, remote)) {
        round++;
        Path victim = blockFiles().stream().filter(p -> p.getFileName().toString().endsWith("." + BLOCK)).toList()
            .get(round - 1);
        flip(victim, 300_000 + round);
        assertArrayEquals(data, read(reader, "/local/f.bin"), "no error and the right bytes, round " + round);
        double expected = round;
        LocalCluster.await(() -> scrape(http, CORRUPT) == expected, Duration.ofSeconds(30), "corrupt counted");
        // The corrupt copy went, and the read that followed the report cached the block again from the UFS.
        LocalCluster.await(() -> exists(victim) && count() == 4, Duration.ofSeconds(30), "the block cached anew");
        assertArrayEquals(data, read(reader, "/local/f.bin"), "round " + round + ", from the new copy");
        assertEquals(expected, scrape(http, CORRUPT));
      }
    }
  }

  @Test
  void aCorruptBlockOfANativeFileWithNoOtherCopyFailsTheReadClearly() throws Exception {
    byte[] data = new byte[SIZE];
    new Random(12).nextBytes(data);
    try (LocalCluster cluster = cluster(); SluiceClient client = cluster.client()) {
      InetSocketAddress http = cluster.workerHttp().orElseThrow();
      cluster.awaitWorker(client);
      try (OutputStream out = client.create("/native.bin")) {
        out.write(data);
      }
      long second = client.getStatus("/native.bin").getBlocks(1).getBlockId();
      Path victim = blockFiles().stream().filter(p -> p.getFileName().toString().startsWith(second + "."))
          .findFirst().orElseThrow();
      flip(victim, BLOCK - 1);
      try (SluiceInputStream in = client.open("/native.bin")) {
        byte[] head = new byte[BLOCK];
        assertEquals(BLOCK, in.readNBytes(head, 0, BLOCK));
        assertArrayEquals(Arrays.copyOf(data, BLOCK), head, "the first block is intact");
        RpcException e = assertThrows(RpcException.class, () -> in.readNBytes(new byte[BLOCK], 0, BLOCK));
        assertEquals(Status.IO_ERROR, e.status());
        assertTrue(e.getMessage().contains("/native.bin") && e.getMessage().contains("CRC32C")
            && e.getMessage().contains("block " + second), e.getMessage());
      }
      assertEquals(1, scrape(http, CORRUPT));
      assertFalse(exists(victim), "the worker removed the corrupt copy");
    }
  }

  private long count() {
    try {
      return blockFiles().size();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static boolean exists(Path p) {
    return Files.exists(p);
  }
}
