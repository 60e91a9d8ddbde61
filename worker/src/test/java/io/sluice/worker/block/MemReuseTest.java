package io.sluice.worker.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reuse of freed MEM block files (DESIGN §10): which files are kept, what the next block reads, and the space. */
class MemReuseTest {
  @TempDir
  Path dir;

  private Path mem;

  private BlockStore open(String tiers, Watermarks w) throws IOException {
    BlockStore s = new BlockStore(TierSpec.parse(tiers.replace("@", dir.toString())), false, w,
        new LruPolicy(new FakeClock()));
    s.open();
    mem = dir.resolve("mem");
    return s;
  }

  private BlockStore openMem(long capacity) throws IOException {
    return open("MEM:@/mem:" + capacity, Watermarks.DEFAULT);
  }

  /** {@code length} bytes that differ from block to block and from offset to offset. */
  private static byte[] bytes(long id, int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (id * 31 + i);
    }
    return b;
  }

  private static void append(TempBlock b, byte[] data) throws RpcException {
    ByteBuf buf = Unpooled.wrappedBuffer(data);
    try {
      b.append(buf);
    } finally {
      buf.release();
    }
  }

  /** Writes block {@code id} of {@code length} bytes, declaring {@code maxLength}; returns what it wrote. */
  private static byte[] put(BlockStore store, long id, int length, long maxLength) throws RpcException {
    byte[] data = bytes(id, length);
    TempBlock b = store.create(id, maxLength);
    append(b, data);
    b.commit();
    return data;
  }

  private static Object inode(Path p) throws IOException {
    return Files.getAttribute(p, "unix:ino");
  }

  private List<Path> pooledFiles() throws IOException {
    try (Stream<Path> s = Files.list(mem.resolve("free"))) {
      return s.toList();
    }
  }

  private static byte[] read(FileChannel c, int length) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(length);
    while (buf.hasRemaining() && c.read(buf, buf.position()) > 0) {
      // until the whole block is in
    }
    return buf.array();
  }

  private static TierStats mem(BlockStore store) {
    return store.tierStats().get(0);
  }

  @Test
  void aDeletedMemBlocksFileCarriesTheNextBlockWithNoStaleTail() throws Exception {
    BlockStore store = openMem(1000);
    put(store, 1, 300, 300);
    Object ino = inode(store.path(1));
    assertTrue(store.delete(1));
    assertEquals(List.of(ino), List.of(inode(pooledFiles().get(0))), "moved to free/, not unlinked");
    assertEquals(300, mem(store).pooled());
    assertEquals(0, mem(store).used());

    byte[] data = put(store, 2, 100, 300); // smaller than the file it lands on
    assertEquals(ino, inode(store.path(2)), "written over the freed file");
    assertEquals(100, store.length(2));
    assertArrayEquals(data, Files.readAllBytes(store.path(2)), "exactly its bytes: the old tail was cut");
    try (ReadLease lease = store.openRead(2)) {
      assertEquals(100, lease.length());
    }
    assertEquals(0, mem(store).pooled());
    assertEquals(0, pooledFiles().size());
  }

  @Test
  void aPooledFileDeletedByHandIsSkipped() throws Exception {
    BlockStore store = openMem(1000);
    put(store, 1, 300, 300);
    store.delete(1);
    Files.delete(pooledFiles().get(0));
    byte[] data = put(store, 2, 300, 300); // on a fresh file; the directory stays healthy
    assertArrayEquals(data, Files.readAllBytes(store.path(2)));
    assertEquals(0, mem(store).pooled());
    assertEquals(0, mem(store).failedDirs());
  }

  @Test
  void anEvictedMemBlocksFileIsReused() throws Exception {
    BlockStore store = open("MEM:@/mem:1000", new Watermarks(1, 1));
    for (long id = 1; id <= 4; id++) {
      put(store, id, 250, 250);
    }
    Object first = inode(store.path(1));
    byte[] data = put(store, 5, 250, 250); // full: evicts 1, the least recently used
    assertFalse(store.contains(1));
    assertEquals(first, inode(store.path(5)));
    assertArrayEquals(data, Files.readAllBytes(store.path(5)));
    assertEquals(1, mem(store).evictions());
  }

  @Test
  void aBlockRemovedUnderAReadLeaseIsUnlinkedAndItsReaderKeepsItsBytes() throws Exception {
    BlockStore store = openMem(1000);
    byte[] original = put(store, 1, 300, 300);
    Object ino = inode(store.path(1));
    try (ReadLease lease = store.openRead(1);
        FileChannel reader = FileChannel.open(lease.path(), StandardOpenOption.READ)) {
      assertTrue(store.delete(1)); // the master deleted the file: leases do not hold that back
      assertEquals(0, pooledFiles().size(), "a leased block's file is never pooled");
      assertEquals(0, mem(store).pooled());
      byte[] next = put(store, 2, 300, 300);
      assertNotEquals(ino, inode(store.path(2)));
      assertArrayEquals(original, read(reader, 300), "the reader still reads the block it opened");
      assertArrayEquals(next, Files.readAllBytes(store.path(2)));
    }
  }

  @Test
  void aLeaseEndedWhileItsHolderMayStillReadKeepsTheFileFromReuse() throws Exception {
    BlockStore store = openMem(1000);
    byte[] original = put(store, 1, 300, 300);
    ReadLease lease = store.openRead(1);
    try (FileChannel reader = FileChannel.open(lease.path(), StandardOpenOption.READ)) {
      lease.closeDetached(); // a short-circuit client whose connection died, still reading
      store.delete(1);
      assertEquals(0, pooledFiles().size());
      put(store, 2, 300, 300);
      assertArrayEquals(original, read(reader, 300));
    }
  }

  @Test
  void aClosedLeaseLetsTheFileBeReused() throws Exception {
    BlockStore store = openMem(1000);
    put(store, 1, 300, 300);
    Object ino = inode(store.path(1));
    store.openRead(1).close();
    store.delete(1);
    put(store, 2, 300, 300);
    assertEquals(ino, inode(store.path(2)));
  }

  @Test
  void diskTiersNeverPool() throws Exception {
    BlockStore store = open("SSD:@/ssd:1000,HDD:@/hdd:1000", Watermarks.DEFAULT);
    put(store, 1, 300, 300);
    Path file = store.path(1);
    store.delete(1);
    assertFalse(Files.exists(file));
    assertFalse(Files.exists(dir.resolve("ssd").resolve("free")));
    TempBlock aborted = store.create(2, 300);
    append(aborted, bytes(2, 100));
    aborted.abort();
    try (Stream<Path> tmp = Files.list(dir.resolve("ssd").resolve("tmp"))) {
      assertEquals(0, tmp.count());
    }
    assertTrue(store.tierStats().stream().allMatch(t -> t.pooled() == 0));
  }

  @Test
  void anAbortedTempFileIsPooledUnlessSomeoneReadsIt() throws Exception {
    BlockStore store = openMem(1000);
    TempBlock lost = store.create(1, 200);
    append(lost, bytes(1, 150));
    lost.abort();
    assertEquals(150, mem(store).pooled());
    assertEquals(0, mem(store).reserved());

    TempBlock followed = store.create(2, 200); // takes the 150-byte file
    byte[] data = bytes(2, 120);
    append(followed, data);
    try (FileChannel reader = followed.openReader()) {
      followed.abort();
      assertEquals(0, mem(store).pooled(), "a reader may still read it: deleted, not pooled");
      put(store, 3, 200, 200);
      assertArrayEquals(data, Arrays.copyOf(read(reader, 150), 120), "the reader keeps the aborted bytes");
    }
  }

  @Test
  void aPooledFileBiggerThanTheReservationIsCutToIt() throws Exception {
    BlockStore store = openMem(1000);
    put(store, 1, 500, 500);
    put(store, 2, 400, 400);
    store.delete(1);
    store.delete(2);
    TempBlock b = store.create(3, 450); // the 400-byte file fits whole: preferred over cutting the 500-byte one
    assertEquals(400, Files.size(b.tmpPath()));
    TempBlock c = store.create(4, 200); // the 500-byte file, cut to the 200 reserved
    assertEquals(200, Files.size(c.tmpPath()));
    TierStats s = mem(store);
    assertEquals(650, s.reserved());
    assertEquals(0, s.pooled());
    assertEquals(600, bytesOnDisk(), "never more on disk than reserved");
    b.abort();
    c.abort();
  }

  @Test
  void aReservationDeletesPooledFilesThatNoLongerFit() throws Exception {
    BlockStore store = openMem(1000);
    for (long id = 1; id <= 4; id++) {
      put(store, id, 100, 100);
    }
    put(store, 5, 500, 500);
    for (long id = 1; id <= 4; id++) {
      store.delete(id);
    }
    assertEquals(400, mem(store).pooled());
    TempBlock big = store.create(6, 500); // takes one 100-byte file; the other 300 bytes no longer fit
    TierStats s = mem(store);
    assertEquals(0, s.pooled());
    assertEquals(0, pooledFiles().size());
    assertEquals(1000, s.used() + s.reserved());
    assertEquals(600, bytesOnDisk());
    big.abort();
  }

  /** Committed, reserved and pooled bytes stay within the capacity, on paper and on disk, whatever happens. */
  @Test
  void capacityHoldsUnderAStreamOfCreatesAndRemoves() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    String why = "seed " + seed;
    BlockStore store = openMem(4000);
    Map<Long, byte[]> committed = new HashMap<>();
    List<TempBlock> open = new ArrayList<>();
    Map<TempBlock, byte[]> written = new HashMap<>();
    long next = 1;
    for (int step = 0; step < 600; step++) {
      int op = random.nextInt(10);
      if (op < 4 && open.size() < 4) {
        try {
          TempBlock b = store.create(next++, 1 + random.nextInt(1200));
          byte[] data = bytes(b.blockId(), random.nextInt((int) b.maxLength() + 1));
          append(b, data);
          open.add(b);
          written.put(b, data);
        } catch (RpcException e) {
          assertEquals(Status.NO_SPACE, e.status(), why);
        }
      } else if (op < 7 && !open.isEmpty()) {
        TempBlock b = open.remove(random.nextInt(open.size()));
        byte[] data = written.remove(b);
        if (random.nextInt(4) == 0) {
          b.abort();
        } else {
          b.commit();
          committed.put(b.blockId(), data);
        }
      } else if (!committed.isEmpty()) {
        List<Long> ids = List.copyOf(committed.keySet());
        long id = ids.get(random.nextInt(ids.size()));
        store.delete(id);
        committed.remove(id);
      }
      committed.keySet().removeIf(id -> !store.contains(id)); // evicted past the high watermark
      TierStats s = mem(store);
      assertTrue(s.used() + s.reserved() + s.pooled() <= s.capacity(), why + ": " + s);
      long onDisk = bytesOnDisk();
      assertTrue(onDisk <= s.capacity(), why + ": " + onDisk + " bytes on disk, " + s);
      assertEquals(s.pooled(), sizes(mem.resolve("free")), why);
    }
    for (Map.Entry<Long, byte[]> e : committed.entrySet()) {
      assertArrayEquals(e.getValue(), Files.readAllBytes(store.path(e.getKey())), why + ": block " + e.getKey());
      assertEquals(e.getValue().length, store.length(e.getKey()), why);
    }
    for (TempBlock b : open) {
      b.abort();
    }
  }

  @Test
  void preTouchFillsThePoolAndTheNextBlockLandsOnIt() throws Exception {
    BlockStore store = open("MEM:@/mem:1000,HDD:@/hdd:1000", Watermarks.DEFAULT);
    put(store, 1, 100, 100);
    try (PoolWarmer w = store.warmPools(700, 300)) {
      assertTrue(w.await(Duration.ofSeconds(30)));
    }
    assertEquals(700, mem(store).pooled());
    assertEquals(0, store.tierStats().get(1).pooled(), "disk tiers are not pre-touched");
    List<Long> sizes = new ArrayList<>();
    for (Path p : pooledFiles()) {
      sizes.add(Files.size(p));
      assertArrayEquals(new byte[(int) Files.size(p)], Files.readAllBytes(p), "zero-written");
    }
    sizes.sort(null);
    assertEquals(List.of(100L, 300L, 300L), sizes);
    Set<Object> warm = inodes(pooledFiles());
    byte[] data = put(store, 2, 250, 300);
    assertTrue(warm.contains(inode(store.path(2))), "the block went onto a pre-touched file");
    assertArrayEquals(data, Files.readAllBytes(store.path(2)));
    try (Stream<Path> tmp = Files.list(mem.resolve("tmp"))) {
      assertEquals(0, tmp.count());
    }
  }

  @Test
  void preTouchStopsAtTheRoomLeft() throws Exception {
    BlockStore store = openMem(1000);
    put(store, 1, 400, 400);
    try (PoolWarmer w = store.warmPools(5000, 256)) {
      assertTrue(w.await(Duration.ofSeconds(30)));
    }
    TierStats s = mem(store);
    assertEquals(600, s.pooled(), "capped by the capacity, less the blocks");
    assertEquals(1000, bytesOnDisk());
    assertEquals(0, s.reserved());
  }

  @Test
  void pooledFilesSurviveARestartAndAreTrimmedToALowerCapacity() throws Exception {
    BlockStore before = openMem(1000);
    put(before, 1, 300, 300);
    put(before, 2, 300, 300);
    put(before, 3, 200, 200);
    Object kept = inode(before.path(2));
    before.delete(1);
    before.delete(2);
    TempBlock crashed = before.create(4, 300); // takes block 1's file; left in tmp/ as by a crash
    append(crashed, bytes(4, 10));

    BlockStore after = openMem(1000);
    assertEquals(300, mem(after).pooled(), "the pool is kept; the unfinished write is dropped");
    assertEquals(200, mem(after).used());
    put(after, 5, 300, 300);
    assertEquals(kept, inode(after.path(5)), "the file kept across the restart is reused");
    assertEquals(0, mem(after).pooled());
    after.delete(5);

    BlockStore smaller = openMem(400);
    assertEquals(200, mem(smaller).used());
    assertEquals(0, mem(smaller).pooled(), "300 pooled bytes do not fit beside 200 of blocks in 400");
    assertEquals(200, bytesOnDisk());
    crashed.abort();
  }

  private static Set<Object> inodes(List<Path> files) throws IOException {
    Set<Object> out = new java.util.HashSet<>();
    for (Path p : files) {
      out.add(inode(p));
    }
    return out;
  }

  /** Bytes of every file under the MEM directory: blocks, temp files and pooled files. */
  private long bytesOnDisk() throws IOException {
    return sizes(mem);
  }

  private static long sizes(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> !p.getParent().endsWith("sums")) // checksums are not counted against capacity
          .collect(Collectors.summingLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }));
    }
  }
}
