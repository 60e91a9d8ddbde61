package io.sluice.worker.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kept mappings of MEM blocks (transfer mode mapped): which blocks get one, what it holds, and when it goes. */
class MappedBlockTest {
  @TempDir
  Path dir;

  private BlockStore open(String tiers) throws IOException {
    return StoreFixture.open(dir, tiers);
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  /** Opens leases on {@code id} until one comes with a mapping (its pages load in the background). */
  private static Mapped awaitMapping(BlockStore store, long id) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      ReadLease lease = store.openRead(id);
      MappedBlock m = lease.mapped();
      if (m != null) {
        return new Mapped(lease, m);
      }
      lease.close();
      assertTrue(System.nanoTime() < deadline, "block " + id + " was not mapped within 10 s");
      Thread.sleep(5); // a poll interval while the loader thread faults pages in, bounded by the deadline
    }
  }

  /** A lease with its mapping; closing gives the mapping back, then ends the lease, as a reader must. */
  private record Mapped(ReadLease lease, MappedBlock mapping) implements AutoCloseable {
    @Override
    public void close() {
      mapping.release();
      lease.close();
    }
  }

  private static Object inode(Path p) throws IOException {
    return Files.getAttribute(p, "unix:ino");
  }

  /** Whether this process maps a file with inode {@code ino} ({@code /proc/self/maps}: the kernel's own view). */
  private static boolean mapsInode(Object ino) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 5 && f[4].equals(String.valueOf(ino))) {
        return true;
      }
    }
    return false;
  }

  private long pooledFiles() throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve("mem").resolve("free"))) {
      return s.count();
    }
  }

  @Test
  void aMemBlockIsMappedFromItsSecondReadAndTheMappingHoldsItsBytes() throws Exception {
    BlockStore store = open("MEM:@/mem:16m");
    byte[] data = StoreFixture.putRandom(store, 1, (1 << 20) + 17);
    try (ReadLease first = store.openRead(1)) {
      assertNull(first.mapped(), "a block read once is not mapped: a scan would pay the page faults for nothing");
    }
    assertEquals(0, store.mappedBytes());
    try (ReadLease second = store.openRead(1)) {
      assertNull(second.mapped(), "the second read maps it, but reads the file while its pages load");
    }
    assertEquals(data.length, store.mappedBytes());

    try (Mapped m = awaitMapping(store, 1)) {
      assertArrayEquals(data, bytes(m.mapping().slice(0, data.length)));
      assertArrayEquals(Arrays.copyOfRange(data, 70_000, 70_100), bytes(m.mapping().slice(70_000, 100)));
      assertTrue(m.mapping().slice(0, 1).isReadOnly());
    }
  }

  @Test
  void diskBlocksAreNotMapped() throws Exception {
    BlockStore store = open("SSD:@/ssd:16m");
    StoreFixture.putRandom(store, 1, 4096);
    for (int i = 0; i < 3; i++) {
      try (ReadLease lease = store.openRead(1)) {
        assertNull(lease.mapped());
      }
    }
    assertEquals(0, store.mappedBytes());
  }

  @Test
  void aDeletedMappedBlocksFileCarriesTheNextBlockAndItsNewMappingHoldsTheNewBytes() throws Exception {
    BlockStore store = open("MEM:@/mem:16m");
    StoreFixture.putRandom(store, 1, 300_000);
    Object ino = inode(store.path(1));
    Mapped m = awaitMapping(store, 1);
    m.close();
    assertTrue(mapsInode(ino));

    assertTrue(store.delete(1));
    assertEquals(0, store.mappedBytes());
    synchronized (store) {
      assertFalse(m.mapping().mappedLocked(), "unmapped with the block, before its file can be reused");
    }
    assertFalse(mapsInode(ino), "the kernel no longer maps it");
    assertEquals(1, pooledFiles());
    byte[] next = StoreFixture.putRandom(store, 2, 200_000); // over the pooled file, cut to its length
    assertEquals(ino, inode(store.path(2)));
    try (Mapped n = awaitMapping(store, 2)) {
      assertArrayEquals(next, bytes(n.mapping().slice(0, next.length)));
    }
  }

  @Test
  void aMappingStillHeldKeepsItsFileFromReuseAndItsBytesUntilReleased() throws Exception {
    BlockStore store = open("MEM:@/mem:16m");
    byte[] data = StoreFixture.putRandom(store, 1, 300_000);
    Object ino = inode(store.path(1));
    Mapped m = awaitMapping(store, 1);
    m.lease().close(); // the lease goes first here: the mapping alone must still keep the file from reuse

    assertTrue(store.delete(1));
    assertEquals(0, pooledFiles(), "a file still mapped by a reader is unlinked, not pooled");
    byte[] next = StoreFixture.putRandom(store, 2, 300_000);
    assertNotEquals(ino, inode(store.path(2)));
    assertArrayEquals(data, bytes(m.mapping().slice(0, data.length)), "the reader still sends the old block");
    assertArrayEquals(next, Files.readAllBytes(store.path(2)));
    synchronized (store) {
      assertTrue(m.mapping().mappedLocked());
    }
    assertTrue(mapsInode(ino));
    m.mapping().release();
    synchronized (store) {
      assertFalse(m.mapping().mappedLocked(), "unmapped with the last reference");
    }
    assertFalse(mapsInode(ino), "the kernel no longer maps it");
    assertEquals(0, store.mappedBytes());
  }
}
