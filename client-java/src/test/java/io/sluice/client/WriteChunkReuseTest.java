package io.sluice.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.block.WriteChunkPool;
import io.sluice.client.testing.FakeCluster;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 4: a client's write chunks stay resident and are reused across blocks and files, within the pool's bound,
 * and only once nothing references them (the leak guard fails the class if one is never released).
 */
class WriteChunkReuseTest {
  private static final int CHUNK = 64 * 1024;

  private FakeCluster cluster;
  private SluiceClient client;

  @BeforeEach
  void start() throws Exception {
    cluster = FakeCluster.start(1);
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    cluster.close();
  }

  private static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private void write(String path, byte[] data, long blockSize) throws IOException {
    try (SluiceOutputStream out = client.create(path, CreateOptions.defaults().withBlockSize(blockSize))) {
      out.write(data);
    }
    try (SluiceInputStream in = client.open(path)) {
      assertArrayEquals(data, in.readAllBytes(), path);
    }
  }

  /**
   * Blocks of one chunk: each block's commit is awaited before the next chunk is taken, and the transport released
   * the chunk before the worker could answer, so one buffer serves every chunk of every file.
   */
  @Test
  void oneBufferServesEveryBlockOfEveryFile() throws Exception {
    client = SluiceClient.connect(cluster.conf());
    WriteChunkPool pool = client.writeChunks();
    for (int f = 0; f < 3; f++) {
      write("/f" + f, bytes(16 * CHUNK + 1000, f), CHUNK);
      assertEquals(1, pool.created(), "file " + f);
      assertEquals(0, pool.fallbacks(), "file " + f);
    }
    assertEquals(16, cluster.master.addBlockCalls().size() / 3, "17 blocks a file, the first placed by the create");
  }

  /**
   * A stream sends a chunk only while its connection is writable, and a chunk waiting for the event loop counts
   * against that: about three chunks in flight (one filling, two queued), never the whole file.
   */
  @Test
  void aStreamHoldsOnlyAFewChunksInFlight() throws Exception {
    client = SluiceClient.connect(cluster.conf());
    WriteChunkPool pool = client.writeChunks();
    for (int f = 0; f < 3; f++) {
      write("/f" + f, bytes(3 << 20, f), 1 << 20);
    }
    assertTrue(pool.created() <= 4, "created " + pool.created() + " for 144 chunks");
    assertEquals(0, pool.fallbacks());
  }

  @Test
  void thePoolStaysWithinItsBoundAndTheOverflowStillWrites() throws Exception {
    client = SluiceClient.connect(cluster.conf().with(ClientKeys.WRITE_POOL_SIZE, "128k"));
    WriteChunkPool pool = client.writeChunks();
    for (int f = 0; f < 3; f++) {
      write("/f" + f, bytes((3 << 20) + 5, f), 1 << 20);
      assertTrue(pool.created() >= 1 && pool.created() <= 2, "created " + pool.created());
    }
  }

  @Test
  void aWorkerFailureGivesTheChunksBackForTheNextFile() throws Exception {
    client = SluiceClient.connect(cluster.conf());
    WriteChunkPool pool = client.writeChunks();
    cluster.workers.get(0).failWritesAfter = 100_000;
    assertThrows(IOException.class, () -> {
      try (SluiceOutputStream out = client.create("/w")) {
        out.write(bytes(3 << 20, 1));
      }
    });
    int created = pool.created();
    assertTrue(created >= 1, "created " + created);
    cluster.workers.get(0).failWritesAfter = -1;
    write("/next", bytes(16 * CHUNK, 2), CHUNK);
    assertTrue(pool.created() <= created + 1, "created " + pool.created() + " after " + created);
  }

  @Test
  void closingTheClientClosesThePool() throws Exception {
    client = SluiceClient.connect(cluster.conf());
    write("/a", bytes(CHUNK, 3), CHUNK);
    WriteChunkPool pool = client.writeChunks();
    client.close();
    client = null;
    pool.acquire(CHUNK).release();
    assertEquals(1, pool.fallbacks(), "a closed pool hands out no buffer of its own");
  }
}
