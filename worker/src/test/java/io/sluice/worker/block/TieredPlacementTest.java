package io.sluice.worker.block;

import static io.sluice.worker.block.StoreFixture.append;
import static io.sluice.worker.block.StoreFixture.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.rpc.RpcException;
import io.sluice.worker.block.TierSpec.DirSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where new blocks go across tiers and directories, and that no tier ever holds more than its capacity. */
class TieredPlacementTest {
  @TempDir
  Path dir;

  private BlockStore open(String tiers) throws IOException {
    return StoreFixture.open(dir, tiers);
  }

  @Test
  void aBlockSpillsToTheNextTierWhenTheFastestIsFull() throws Exception {
    BlockStore store = open("MEM:@/mem:100,SSD:@/ssd:1000,HDD:@/hdd:1000");
    put(store, 1, 60);
    put(store, 2, 60); // 40 bytes left in MEM
    put(store, 3, 30); // fits MEM again: the fastest tier with room wins
    assertTrue(store.path(1).startsWith(dir.resolve("mem")));
    assertTrue(store.path(2).startsWith(dir.resolve("ssd")));
    assertTrue(store.path(3).startsWith(dir.resolve("mem")));
    List<TierStats> stats = store.tierStats();
    assertEquals(new TierStats(TierAlias.MEM, 100, 90, 0, 0, 2, 0, 1, 0), stats.get(0));
    assertEquals(new TierStats(TierAlias.SSD, 1000, 60, 0, 0, 1, 0, 1, 0), stats.get(1));
    assertEquals(0, stats.get(2).blocks());
  }

  @Test
  void aFullFastTierKeepsItsBlocksWhileASlowerTierHasRoom() throws Exception {
    BlockStore store = open("MEM:@/mem:100,HDD:@/hdd:1000");
    put(store, 1, 60);
    put(store, 2, 40); // MEM at 100%, over its high watermark: yet the HDD has room, so nothing is dropped
    put(store, 3, 50); // spills down
    for (long id : new long[] {1, 2}) {
      assertTrue(store.path(id).startsWith(dir.resolve("mem")), "block " + id + " kept in MEM");
    }
    assertTrue(store.path(3).startsWith(dir.resolve("hdd")));
    assertEquals(0, store.tierStats().get(0).evictions());

    put(store, 4, 910); // the slowest tier over its high watermark: there, the coldest block goes
    assertEquals(1, store.tierStats().get(1).evictions(), store.tierStats().toString());
    assertThrows(RpcException.class, () -> store.path(3));
    assertEquals(100, store.tierStats().get(0).used(), "MEM untouched");
  }

  @Test
  void theReservationIsWhatTheWriterDeclaredUntilCommitTrimsIt() throws Exception {
    BlockStore store = open("MEM:@/mem:100,SSD:@/ssd:1000");
    TempBlock big = store.create(1, 80); // declares 80, will write 10
    TempBlock next = store.create(2, 30); // 80 reserved: MEM has no room for 30 more
    assertTrue(next.tmpPath().startsWith(dir.resolve("ssd")));
    assertEquals(80, store.tierStats().get(0).reserved());
    append(big, 10);
    big.commit();
    assertEquals(new TierStats(TierAlias.MEM, 100, 10, 0, 0, 1, 0, 1, 0), store.tierStats().get(0));
    next.abort();
    assertEquals(0, store.tierStats().get(1).reserved());
    put(store, 3, 90); // the trimmed 70 bytes and more are free again
    assertTrue(store.path(3).startsWith(dir.resolve("mem")));
  }

  @Test
  void withinATierTheDirectoryWithMostRoomIsUsed() throws Exception {
    BlockStore store = open("HDD:@/a:1000;@/b:500");
    put(store, 1, 600); // a: 400 left, b: 500
    put(store, 2, 450); // only b fits
    put(store, 3, 300); // a 400 > b 50
    assertTrue(store.path(1).startsWith(dir.resolve("a")));
    assertTrue(store.path(2).startsWith(dir.resolve("b")));
    assertTrue(store.path(3).startsWith(dir.resolve("a")));
    assertEquals(1500, store.capacity());
    assertEquals(1350, store.used());
  }

  /**
   * Several threads write blocks of random declared and real sizes into a cache much smaller than what they
   * write, so placement, spilling and eviction race each other. A sampler checks every tier's snapshot while they
   * run; at the end the bytes on disk must equal what the store accounts, with nothing left reserved.
   */
  @Test
  void concurrentWritersNeverExceedATiersCapacity() throws Exception {
    BlockStore store = open("MEM:@/mem:2000,HDD:@/h1:3000;@/h2:3000");
    int threads = 4;
    int perThread = 150;
    AtomicBoolean done = new AtomicBoolean();
    ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    Thread sampler = new Thread(() -> {
      while (!done.get()) {
        for (TierStats s : store.tierStats()) {
          if (s.used() + s.reserved() + s.pooled() > s.capacity() || s.used() < 0 || s.reserved() < 0
              || s.pooled() < 0) {
            violations.add(s.toString());
          }
        }
      }
    });
    sampler.start();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int base = t * perThread;
      Thread w = new Thread(() -> {
        Random r = new Random(base);
        try {
          go.await();
          for (int i = 0; i < perThread; i++) {
            int declared = 100 + r.nextInt(400);
            TempBlock b = store.create(base + i, declared);
            append(b, 1 + r.nextInt(declared));
            if (r.nextInt(10) == 0) {
              b.abort();
            } else {
              b.commit();
            }
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      });
      writers.add(w);
      w.start();
    }
    go.countDown();
    for (Thread w : writers) {
      w.join();
    }
    done.set(true);
    sampler.join();
    assertEquals(List.of(), List.copyOf(errors));
    assertEquals(List.of(), List.copyOf(violations));
    long evictions = 0;
    long pooled = 0;
    for (TierStats s : store.tierStats()) {
      assertEquals(0, s.reserved(), s.toString());
      evictions += s.evictions();
      pooled += s.pooled();
    }
    assertTrue(evictions > 0, "the test must overflow the cache to mean anything");
    // MEM keeps evicted blocks' files for reuse: on disk, but free space.
    assertEquals(store.used() + pooled, bytesOnDisk("mem") + bytesOnDisk("h1") + bytesOnDisk("h2"));
    assertTrue(bytesOnDisk("mem") <= 2000 && bytesOnDisk("h1") <= 3000 && bytesOnDisk("h2") <= 3000);
    assertEquals(0, filesIn("mem/tmp") + filesIn("h1/tmp") + filesIn("h2/tmp"));
  }

  private long bytesOnDisk(String d) throws IOException {
    try (Stream<Path> files = Files.walk(dir.resolve(d))) {
      return files.filter(Files::isRegularFile)
          .filter(p -> !p.getParent().endsWith("sums")) // checksums are not counted against capacity
          .mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (NoSuchFileException e) {
          return 0;
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).sum();
    }
  }

  private long filesIn(String d) throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve(d))) {
      return files.count();
    }
  }

  @Test
  void aSingleDirectoryStoreStillWorksAsBefore() throws Exception {
    BlockStore store = new BlockStore(List.of(new TierSpec(TierAlias.HDD, List.of(new DirSpec(dir, 100)))), false,
        Watermarks.DEFAULT, new LruPolicy(new FakeClock()));
    store.open();
    put(store, 1, 50);
    assertEquals(dir.resolve("blocks").resolve("1.50"), store.path(1));
  }
}
