package io.sluice.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.FileEditor;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceInputStream;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.MasterMethod;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerSummary;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Changing complete files in place ({@link FileEditor}) on a real master and worker: random writes, appends and
 * truncates become new block versions swapped in by one commit; every result is compared byte for byte with an
 * in-memory model, read back through the editor and through a fresh {@link SluiceClient#open}.
 */
class FileEditTest {
  private static final int BLOCK = 1 << 20;
  /** A FUSE mount's largest write. */
  private static final int CHUNK = 128 * 1024;
  private static final String WORKER_BLOCKS = "sluice_worker_tier_blocks";

  @TempDir
  Path dir;

  private LocalCluster cluster;
  private SluiceClient client;

  @BeforeEach
  void start() throws Exception {
    // Chunks smaller than a block, so a block version goes out in several frames.
    cluster = new LocalCluster(dir, "sluice.user.block.size", Integer.toString(BLOCK),
        "sluice.user.write.chunk.size", "256k", "sluice.user.edit.dir", dir.toString(),
        "sluice.worker.http.port", "0", "sluice.master.http.port", "0");
    cluster.startMaster();
    cluster.startWorker();
    client = cluster.client();
    cluster.awaitWorker(client);
  }

  @AfterEach
  void stop() throws IOException {
    if (client != null) {
      client.close();
    }
    cluster.close();
  }

  @Test
  void randomWritesInAMultiBlockFileLandOnCommit() throws Exception {
    long seed = System.nanoTime();
    System.out.println("FileEditTest.randomWrites seed " + seed);
    Random r = new Random(seed);
    Model model = new Model(8 * BLOCK);
    model.write(0, random(r, 5 * BLOCK + 12_345));
    byte[] original = model.content();
    create("/f", original);

    try (FileEditor e = client.edit("/f")) {
      assertEquals(model.length, e.length());
      assertFalse(e.dirty());
      for (int i = 0; i < 30; i++) {
        // Mostly small writes, some spanning block boundaries.
        int len = 1 + r.nextInt(i % 5 == 0 ? 2 * BLOCK : 4096);
        int pos = r.nextInt(model.length - len + 1);
        byte[] data = random(r, len);
        e.write(pos, data, 0, len);
        model.write(pos, data);
      }
      assertTrue(e.dirty());
      assertEquals(model.length, e.length());
      assertReads(e, model);
      assertArrayEquals(original, readAll("/f"), "not visible before the commit");
      FileInfo info = e.commit();
      assertEquals(model.length, info.getLength());
      assertFalse(e.dirty());
      assertArrayEquals(model.content(), readAll("/f"));
      assertSame(info, e.commit(), "a commit without changes returns the file as committed");
      // The editor goes on from the committed file.
      assertReads(e, model);
    }
    assertArrayEquals(model.content(), readAll("/f"));
  }

  @Test
  void writesBecomeVisibleOnlyOnCommit() throws Exception {
    byte[] old = random(new Random(1), 2 * BLOCK + 10);
    create("/f", old);
    try (FileEditor e = client.edit("/f")) {
      e.write(100, new byte[] {1, 2, 3}, 0, 3);
      e.truncate(BLOCK + 1);
      assertArrayEquals(old, readAll("/f"));
      e.commit();
    }
    byte[] now = Arrays.copyOf(old, BLOCK + 1);
    now[100] = 1;
    now[101] = 2;
    now[102] = 3;
    assertArrayEquals(now, readAll("/f"));
  }

  /** Replays a few hundred random operations on one editor against a model; prints its seed to replay a failure. */
  @Test
  void randomOperationsMatchAModel() throws Exception {
    randomOperations(client, "/m");
  }

  /**
   * The same with every stream expiring at the editor's next call ({@code sluice.user.edit.stream.max.age}): each
   * streamed block moves to a temporary file read back from its version, as one held too long does.
   */
  @Test
  void randomOperationsMatchAModelWhenStreamsExpireAtOnce() throws Exception {
    try (SluiceClient c = SluiceClient.connect(cluster.conf().with("sluice.user.edit.stream.max.age", "1us"))) {
      randomOperations(c, "/x");
    }
  }

  private void randomOperations(SluiceClient c, String file) throws Exception {
    long seed = System.nanoTime();
    System.out.println("FileEditTest.randomOperations seed " + seed);
    Random r = new Random(seed);
    int max = 6 * BLOCK + 1000;
    Model model = new Model(max);
    model.write(0, random(r, 2 * BLOCK + BLOCK / 2));
    create(file, model.content());

    int commits = 0;
    try (FileEditor e = c.edit(file)) {
      for (int op = 0; op < 300; op++) {
        int kind = r.nextInt(100);
        String what = "op " + op + " (seed " + seed + ")";
        if (kind < 8) {
          // A run of writes in order from a block's start, streamed (FileEditor.STREAM_MIN), sometimes past the end.
          int start = r.nextInt(Math.min(max - BLOCK, model.length + BLOCK / 2) / BLOCK + 1) * BLOCK;
          int run = CHUNK * (1 + r.nextInt(BLOCK / CHUNK + 2)) - r.nextInt(2) * 77;
          writeInOrder(e, model, r, start, Math.min(run, max - start));
        } else if (kind < 40) {
          int len = r.nextInt(10) == 0 ? 1 + r.nextInt(2 * BLOCK) : 1 + r.nextInt(8192);
          int pos = r.nextInt(Math.min(max - len, model.length + BLOCK / 2) + 1); // sometimes past the end
          byte[] data = random(r, len);
          e.write(pos, data, 0, len);
          model.write(pos, data);
        } else if (kind < 55) {
          int to = r.nextBoolean() ? r.nextInt(model.length + 1) : r.nextInt(max + 1);
          if (r.nextInt(4) == 0) {
            to = to / BLOCK * BLOCK; // a block boundary
          }
          e.truncate(to);
          model.truncate(to);
        } else if (kind < 93) {
          int pos = r.nextInt(model.length + 2);
          int len = r.nextInt(4) == 0 ? r.nextInt(2 * BLOCK) : r.nextInt(4096);
          byte[] got = new byte[len];
          int n = e.read(pos, got, 0, len);
          if (pos >= model.length) {
            assertEquals(len == 0 ? 0 : -1, n, what);
          } else {
            assertEquals(Math.min(len, model.length - pos), n, what);
            assertArrayEquals(Arrays.copyOfRange(model.bytes, pos, pos + n), Arrays.copyOf(got, n), what);
          }
        } else {
          FileInfo info = e.commit();
          commits++;
          assertEquals(model.length, info.getLength(), what);
          assertArrayEquals(model.content(), readAll(file), what);
        }
        assertEquals(model.length, e.length(), what);
      }
    }
    assertArrayEquals(model.content(), readAll(file), "after close (seed " + seed + ")");
    assertTrue(commits > 0);
  }

  @Test
  void appendsAcrossBlockBoundaries() throws Exception {
    Random r = new Random(7);
    Model model = new Model(6 * BLOCK);
    create("/a", new byte[0]);
    int[] sizes = {BLOCK * 7 / 10, BLOCK / 2, 1, BLOCK * 19 / 10, BLOCK - 1, 2};
    try (FileEditor e = client.edit("/a")) {
      for (int i = 0; i < sizes.length; i++) {
        byte[] data = random(r, sizes[i]);
        e.write(e.length(), data, 0, data.length);
        model.write(model.length, data);
        if (i % 2 == 1) {
          assertEquals(model.length, e.commit().getLength());
          assertArrayEquals(model.content(), readAll("/a"));
        }
      }
    }
    assertArrayEquals(model.content(), readAll("/a"));
    assertEquals((model.length + BLOCK - 1) / BLOCK, client.getStatus("/a").getBlocksCount());
  }

  @Test
  void truncatesToABoundaryIntoABlockAndToZero() throws Exception {
    Random r = new Random(11);
    Model model = new Model(4 * BLOCK);
    model.write(0, random(r, 3 * BLOCK + BLOCK / 2));
    create("/t", model.content());
    try (FileEditor e = client.edit("/t")) {
      for (int to : new int[] {2 * BLOCK, BLOCK + 12_345, 0}) {
        e.truncate(to);
        model.truncate(to);
        assertReads(e, model);
        assertEquals(to, e.commit().getLength());
        assertArrayEquals(model.content(), readAll("/t"));
        assertEquals((to + BLOCK - 1) / BLOCK, client.getStatus("/t").getBlocksCount());
      }
    }

    // Shrink then grow within one commit: what was cut reads as zeros, never as the old bytes.
    model = new Model(4 * BLOCK);
    model.write(0, random(r, 3 * BLOCK));
    create("/g", model.content());
    try (FileEditor e = client.edit("/g")) {
      e.truncate(BLOCK + 100);
      model.truncate(BLOCK + 100);
      e.truncate(3 * BLOCK); // back to the old length: every byte from BLOCK + 100 on is now zero
      model.truncate(3 * BLOCK);
      byte[] tail = random(r, 10);
      e.write(2 * BLOCK + 5, tail, 0, tail.length);
      model.write(2 * BLOCK + 5, tail);
      assertTrue(e.dirty());
      assertReads(e, model);
    }
    assertArrayEquals(model.content(), readAll("/g"));
  }

  @Test
  void replacedVersionsAreRemovedFromTheWorker() throws Exception {
    InetSocketAddress metrics = cluster.workerHttp().orElseThrow();
    create("/v", random(new Random(3), 4 * BLOCK));
    awaitBlocks(metrics, 4);
    try (FileEditor e = client.edit("/v")) {
      e.write(10, new byte[] {9}, 0, 1);
      e.write(3 * BLOCK - 1, new byte[] {8, 8}, 0, 2); // blocks 2 and 3
      e.commit();
      awaitBlocks(metrics, 4); // 3 versions in, 3 blocks out
      e.truncate(BLOCK + 1);
      e.commit();
      awaitBlocks(metrics, 2); // block 1 rewritten to 1 byte, blocks 2 and 3 dropped
    }
    client.delete("/v", false);
    awaitBlocks(metrics, 0);
  }

  /**
   * A block rewritten from its start in order goes to its new version on the worker as it is written (a full one is
   * there before the commit); the commit sends what the rewrite did not reach of a block after it, from the base.
   */
  @Test
  void aBlockRewrittenInOrderGoesToTheWorkerBeforeTheCommit() throws Exception {
    InetSocketAddress metrics = cluster.workerHttp().orElseThrow();
    Random r = new Random(13);
    Model model = new Model(4 * BLOCK);
    model.write(0, random(r, 3 * BLOCK + BLOCK / 2));
    create("/s", model.content());
    awaitBlocks(metrics, 4);
    try (FileEditor e = client.edit("/s")) {
      writeInOrder(e, model, r, 0, BLOCK + BLOCK / 2); // block 0 whole, half of block 1
      awaitBlocks(metrics, 5); // block 0's new version, before any commit
      assertEquals(3 * BLOCK + BLOCK / 2, e.length(), "the length is unchanged");
      e.commit();
      assertArrayEquals(model.content(), readAll("/s"));
      awaitBlocks(metrics, 4); // two versions in, two blocks out
      // Past the end: the last block rewritten and grown by a sequential writer, as cp over the file does.
      writeInOrder(e, model, r, 3 * BLOCK, BLOCK - 1000);
    }
    assertArrayEquals(model.content(), readAll("/s"));
    awaitBlocks(metrics, 4);
  }

  /**
   * A streamed block moves to a temporary file (its bytes read back from the worker) on a read of what was streamed,
   * a write elsewhere in it and a truncate into it; the content always matches the model, and the versions given up
   * leave the worker with the commit.
   */
  @Test
  void aStreamedBlockFallsBackToAFileOnAnythingButTheNextWrite() throws Exception {
    InetSocketAddress metrics = cluster.workerHttp().orElseThrow();
    Random r = new Random(17);
    Model model = new Model(5 * BLOCK);
    model.write(0, random(r, 4 * BLOCK + BLOCK / 3));
    create("/f", model.content());
    awaitBlocks(metrics, 5);
    try (FileEditor e = client.edit("/f")) {
      writeInOrder(e, model, r, 0, BLOCK); // finished on the worker
      writeInOrder(e, model, r, BLOCK, 3 * CHUNK);
      byte[] got = new byte[1000];
      assertEquals(got.length, e.read(BLOCK + CHUNK - 10, got, 0, got.length)); // inside block 1's stream
      assertArrayEquals(Arrays.copyOfRange(model.bytes, BLOCK + CHUNK - 10, BLOCK + CHUNK + 990), got);

      writeInOrder(e, model, r, 2 * BLOCK, 2 * CHUNK);
      byte[] back = random(r, 5000);
      e.write(2 * BLOCK + 100, back, 0, back.length); // behind block 2's stream
      model.write(2 * BLOCK + 100, back);

      writeInOrder(e, model, r, 4 * BLOCK, 3 * CHUNK); // the last block, grown past its old end
      e.truncate(4 * BLOCK + CHUNK + 7);
      model.truncate(4 * BLOCK + CHUNK + 7);

      byte[] again = random(r, 300);
      e.write(BLOCK / 2, again, 0, again.length); // into block 0's finished version
      model.write(BLOCK / 2, again);
      assertReads(e, model);
      e.commit();
      assertArrayEquals(model.content(), readAll("/f"));
    }
    awaitBlocks(metrics, 5); // no version given up is left behind
  }

  /** An editor aborted, or failed, drops the versions it streamed: they do not stay on the worker, kept. */
  @Test
  void anAbortedEditorDropsTheVersionsItStreamed() throws Exception {
    InetSocketAddress metrics = cluster.workerHttp().orElseThrow();
    Random r = new Random(19);
    Model model = new Model(3 * BLOCK);
    model.write(0, random(r, 2 * BLOCK));
    create("/ab", model.content());
    awaitBlocks(metrics, 2);
    FileEditor e = client.edit("/ab");
    writeInOrder(e, new Model(3 * BLOCK), r, 0, BLOCK + CHUNK);
    awaitBlocks(metrics, 3); // block 0's version is on the worker
    e.abort();
    awaitBlocks(metrics, 2);
    assertArrayEquals(model.content(), readAll("/ab"));
  }

  /**
   * A streamed block that cannot be read back when a read needs it (its worker is gone) fails the editor: the block's
   * new bytes are lost, so nothing may be committed as if they had been written.
   */
  @Test
  void aStreamedBlockThatCannotBeReadBackFailsTheEditor() throws Exception {
    Random r = new Random(23);
    byte[] original = random(r, 2 * BLOCK);
    create("/lost", original);
    FileEditor e = client.edit("/lost");
    writeInOrder(e, new Model(3 * BLOCK), r, 0, 3 * CHUNK);
    cluster.stopWorker();
    assertThrows(IOException.class, () -> e.read(10, new byte[100], 0, 100));
    IOException failed = assertThrows(IOException.class, e::commit);
    assertTrue(failed.getMessage().contains("failed earlier"), failed.getMessage());
    assertThrows(IOException.class, e::close);
    cluster.startWorker();
    cluster.awaitWorker(client);
    assertArrayEquals(original, readAll("/lost"), "nothing of the failed change landed");
  }

  /**
   * A stream held past {@code sluice.user.edit.stream.max.age} moves to a temporary file: the commit writes that block
   * afresh (a second version allocated) rather than use a version the master may have dropped meanwhile.
   */
  @Test
  void aStreamHeldPastItsMaxAgeIsWrittenAfreshAtTheCommit() throws Exception {
    assertEquals(1.0, versionsAllocatedToRewriteABlock("10m"));
    // Any stream is older than 1 us by the editor's next call: sending one 128 KiB piece takes longer.
    assertEquals(2.0, versionsAllocatedToRewriteABlock("1us"));
  }

  private double versionsAllocatedToRewriteABlock(String maxAge) throws Exception {
    try (SluiceClient c = SluiceClient.connect(cluster.conf().with("sluice.user.edit.stream.max.age", maxAge))) {
      Random r = new Random(29);
      Model model = new Model(2 * BLOCK);
      model.write(0, random(r, BLOCK + 1000));
      String file = "/age-" + maxAge;
      create(file, model.content());
      double before = versionsAllocated();
      try (FileEditor e = c.edit(file)) {
        writeInOrder(e, model, r, 0, BLOCK);
      }
      assertArrayEquals(model.content(), readAll(file));
      return versionsAllocated() - before;
    }
  }

  private double versionsAllocated() throws IOException, InterruptedException {
    InetSocketAddress http = new InetSocketAddress("127.0.0.1", cluster.masterHttp().orElseThrow().getPort());
    return io.sluice.common.metrics.Scrape.of(http).value("sluice_rpc_server_calls_total", "server", "master",
        "method", Integer.toString(MasterMethod.ALLOCATE_BLOCK_VERSION_VALUE), "status", "OK").orElse(0.0);
  }

  /** Writes {@code len} random bytes at {@code pos} in the pieces a FUSE mount passes on (128 KiB), in order. */
  private static void writeInOrder(FileEditor e, Model model, Random r, int pos, int len) throws IOException {
    for (int at = 0; at < len; at += CHUNK) {
      byte[] data = random(r, Math.min(CHUNK, len - at));
      e.write(pos + at, data, 0, data.length);
      model.write(pos + at, data);
    }
  }

  @Test
  void twoEditorsOfDifferentBlocksBothLandOfTheSameBlockTheSecondIsStale() throws Exception {
    byte[] content = random(new Random(5), 3 * BLOCK);
    create("/two", content);

    FileEditor a = client.edit("/two");
    FileEditor b = client.edit("/two");
    a.write(5, new byte[] {1}, 0, 1);
    b.write(2 * BLOCK + 5, new byte[] {2}, 0, 1);
    a.close();
    b.close();
    content[5] = 1;
    content[2 * BLOCK + 5] = 2;
    assertArrayEquals(content, readAll("/two"));

    FileEditor c = client.edit("/two");
    FileEditor d = client.edit("/two");
    c.write(BLOCK + 7, new byte[] {3}, 0, 1);
    d.write(BLOCK + 9, new byte[] {4}, 0, 1);
    c.commit();
    RpcException stale = assertThrows(RpcException.class, d::commit);
    assertEquals(Status.STALE, stale.status());
    assertTrue(stale.getMessage().contains("/two"), stale.getMessage());
    // The failed editor stays failed, and its close says so once.
    assertThrows(IOException.class, () -> d.read(0, new byte[1], 0, 1));
    assertThrows(IOException.class, d::close);
    d.close();
    c.close();
    content[BLOCK + 7] = 3;
    assertArrayEquals(content, readAll("/two"));

    // A change of length since the editor started is stale too, whatever the blocks.
    FileEditor e = client.edit("/two");
    FileEditor f = client.edit("/two");
    e.truncate(3 * BLOCK + 1);
    e.close();
    f.write(0, new byte[] {5}, 0, 1);
    assertEquals(Status.STALE, assertThrows(RpcException.class, f::commit).status());
    assertThrows(IOException.class, f::close);
    assertEquals(3 * BLOCK + 1, client.getStatus("/two").getLength());
  }

  @Test
  void aReaderThatOpenedBeforeTheCommitSeesTheOldContent() throws Exception {
    byte[] old = random(new Random(9), 3 * BLOCK);
    create("/r", old);
    InetSocketAddress metrics = cluster.workerHttp().orElseThrow();
    awaitBlocks(metrics, 3);

    try (SluiceInputStream before = client.open("/r")) {
      // One byte in: block 0 is on its way (one frame: the read chunk is the block size).
      assertEquals(old[0] & 0xff, before.read());
      try (FileEditor e = client.edit("/r")) {
        byte[] ones = new byte[BLOCK];
        Arrays.fill(ones, (byte) 1);
        e.write(0, ones, 0, BLOCK);
        e.write(2 * BLOCK, ones, 0, BLOCK);
        e.write(3 * BLOCK, ones, 0, 1);
      }
      byte[] now = Arrays.copyOf(old, 3 * BLOCK + 1);
      Arrays.fill(now, 0, BLOCK, (byte) 1);
      Arrays.fill(now, 2 * BLOCK, 3 * BLOCK + 1, (byte) 1);
      assertArrayEquals(now, readAll("/r"));

      // The replaced blocks are gone from the worker; the old reader still has the file as it opened it.
      awaitBlocks(metrics, 4);
      assertEquals(old.length, before.length());
      byte[] rest = new byte[BLOCK - 1];
      assertEquals(rest.length, before.readNBytes(rest, 0, rest.length));
      assertArrayEquals(Arrays.copyOfRange(old, 1, BLOCK), rest);
      // Block 1 was kept: the old reader reads it as it was.
      byte[] kept = new byte[BLOCK];
      before.readFully(BLOCK, kept, 0, BLOCK);
      assertArrayEquals(Arrays.copyOfRange(old, BLOCK, 2 * BLOCK), kept);
      // Block 2 was replaced and removed: the old reader may fail, but never sees the new bytes.
      byte[] replaced = new byte[BLOCK];
      try {
        before.readFully(2 * BLOCK, replaced, 0, BLOCK);
        assertArrayEquals(Arrays.copyOfRange(old, 2 * BLOCK, 3 * BLOCK), replaced);
      } catch (IOException expected) {
        assertNotEquals(Status.OK, expected instanceof RpcException re ? re.status() : Status.IO_ERROR);
      }
    }
  }

  @Test
  void editRefusesWhatIsNotAFileItCanChange() throws Exception {
    assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class, () -> client.edit("/missing")).status());
    client.mkdir("/d", false);
    assertEquals(Status.IS_DIRECTORY, assertThrows(RpcException.class, () -> client.edit("/d")).status());
    client.createSymlink("/link", "/d");
    assertEquals(Status.INVALID_ARGUMENT, assertThrows(RpcException.class, () -> client.edit("/link")).status());
    try (OutputStream writing = client.create("/writing")) {
      writing.write(1);
      assertEquals(Status.INVALID_ARGUMENT,
          assertThrows(RpcException.class, () -> client.edit("/writing")).status());
    }
    // Deleted while being edited: the commit names the gone file.
    create("/gone", new byte[10]);
    FileEditor e = client.edit("/gone");
    e.write(0, new byte[] {1}, 0, 1);
    client.delete("/gone", false);
    assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class, e::commit).status());
    assertThrows(IOException.class, e::close);
  }

  @Test
  void changedBlocksAreKeptInTheEditDirectory() throws Exception {
    create("/e", new byte[100]);
    Path editDir = dir.resolve("edits");
    try (SluiceClient other = SluiceClient.connect(cluster.conf().with("sluice.user.edit.dir", editDir.toString()))) {
      FileEditor e = other.edit("/e");
      IOException missing = assertThrows(IOException.class, () -> e.write(0, new byte[] {1}, 0, 1));
      assertTrue(missing.getMessage().contains(editDir.toString()), missing.getMessage());
      assertThrows(IOException.class, e::close);

      Files.createDirectory(editDir);
      try (FileEditor ok = other.edit("/e")) {
        ok.write(0, new byte[] {1}, 0, 1);
      }
    }
    byte[] now = new byte[100];
    now[0] = 1;
    assertArrayEquals(now, readAll("/e"));
  }

  private void create(String path, byte[] content) throws IOException {
    try (OutputStream out = client.create(path)) {
      out.write(content);
    }
  }

  private byte[] readAll(String path) throws IOException {
    try (InputStream in = client.open(path)) {
      return in.readAllBytes();
    }
  }

  /** Reads the whole file through the editor in uneven pieces and compares it with the model. */
  private static void assertReads(FileEditor e, Model model) throws IOException {
    byte[] got = new byte[model.length];
    int step = BLOCK / 3 + 17;
    for (int pos = 0; pos < got.length; pos += step) {
      int len = Math.min(step, got.length - pos);
      assertEquals(len, e.read(pos, got, pos, len));
    }
    assertArrayEquals(model.content(), got);
    assertEquals(-1, e.read(model.length, new byte[1], 0, 1));
  }

  /** Waits until both the worker and the master's view of it count {@code n} blocks. */
  private void awaitBlocks(InetSocketAddress metrics, int n) throws InterruptedException {
    LocalCluster.await(() -> {
      try {
        WorkerSummary w = client.clusterInfo().getWorkers(0);
        return w.getBlockCount() == n && Scrape.value(metrics, WORKER_BLOCKS) == n;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }, Duration.ofSeconds(30), n + " blocks on the worker");
  }

  private static byte[] random(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }

  /** The file as it should be: bytes past {@code length} are always zeros, so growing shows zeros. */
  private static final class Model {
    final byte[] bytes;
    int length;

    Model(int max) {
      bytes = new byte[max];
    }

    void write(int pos, byte[] data) {
      System.arraycopy(data, 0, bytes, pos, data.length);
      length = Math.max(length, pos + data.length);
    }

    void truncate(int to) {
      if (to < length) {
        Arrays.fill(bytes, to, length, (byte) 0);
      }
      length = to;
    }

    byte[] content() {
      return Arrays.copyOf(bytes, length);
    }
  }
}
