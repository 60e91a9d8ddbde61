package io.sluice.worker.block;

import static io.sluice.worker.block.StoreFixture.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which blocks go when the cache is full, under a fake clock. */
class EvictionTest {
  @TempDir
  Path dir;

  private final FakeClock clock = new FakeClock();
  private final StoreFixture.Recorder reports = new StoreFixture.Recorder();

  /** One tier of 1000 bytes; watermarks at 1 so only a write that does not fit evicts. */
  private BlockStore open(Function<FakeClock, EvictionPolicy> policy) throws Exception {
    return open(policy, new Watermarks(1, 1));
  }

  private BlockStore open(Function<FakeClock, EvictionPolicy> policy, Watermarks w) throws Exception {
    BlockStore s = new BlockStore(TierSpec.parse("HDD:" + dir + ":1000"), false, w, policy.apply(clock));
    s.open();
    s.setListener(reports);
    return s;
  }

  private void tick() {
    clock.advance(Duration.ofSeconds(1));
  }

  private void read(BlockStore store, long id) throws RpcException {
    tick();
    store.openRead(id).close();
  }

  /** Fills the store with blocks 1-4 of 250 bytes, one a second, then reads 1 twice, 2 once and 4 once. */
  private void fillAndRead(BlockStore store) throws Exception {
    for (long id = 1; id <= 4; id++) {
      tick();
      put(store, id, 250);
    }
    read(store, 1);
    read(store, 1);
    read(store, 2);
    read(store, 4);
  }

  private static long[] sorted(long[] ids) {
    Arrays.sort(ids);
    return ids;
  }

  @Test
  void lruEvictsTheLeastRecentlyReadFirst() throws Exception {
    BlockStore store = open(LruPolicy::new);
    fillAndRead(store); // last access: 3 at t3, 1 at t6, 2 at t7, 4 at t8
    tick();
    put(store, 5, 250);
    tick();
    put(store, 6, 250);
    assertEquals(List.of(3L, 1L), reports.removed);
    assertEquals(2, store.tierStats().get(0).evictions());
    assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class, () -> store.length(3)).status());
  }

  @Test
  void lfuEvictsTheLeastOftenReadFirstAndTheOlderAmongEquals() throws Exception {
    BlockStore store = open(LfuPolicy::new);
    fillAndRead(store); // accesses: 1 x3, 2 x2, 3 x1, 4 x2
    tick();
    put(store, 5, 250); // 3 (once) goes
    tick();
    put(store, 6, 250); // 5 (once, its write) goes before any block read since
    tick();
    read(store, 6);
    read(store, 6);
    tick();
    put(store, 7, 250); // 2 and 4 were both used twice: 2's last use is older
    assertEquals(List.of(3L, 5L, 2L), reports.removed);
    assertEquals(List.of(1L, 4L, 6L, 7L), Arrays.stream(sorted(store.blockIds())).boxed().toList());
  }

  @Test
  void evictionStartsAtTheHighWatermarkAndStopsAtTheLow() throws Exception {
    BlockStore store = open(LruPolicy::new, Watermarks.DEFAULT);
    for (long id = 1; id <= 9; id++) {
      tick();
      put(store, id, 100);
    }
    assertEquals(List.of(), reports.removed, "900 of 1000 is under the high watermark");
    tick();
    put(store, 10, 100); // 1000 > 950: down to 850 or less
    assertEquals(List.of(1L, 2L), reports.removed);
    assertEquals(800, store.used());
  }

  @Test
  void pinnedBlocksAreNeverEvictedAndNoSpaceWhenAllArePinned() throws Exception {
    BlockStore store = open(LruPolicy::new);
    fillAndRead(store);
    store.pin(3);
    store.pin(1);
    tick();
    put(store, 5, 250); // 3 and 1 are the coldest but pinned: 2 goes
    assertEquals(List.of(2L), reports.removed);
    for (long id : store.blockIds()) {
      store.pin(id);
    }
    RpcException e = assertThrows(RpcException.class, () -> store.create(6, 250));
    assertEquals(Status.NO_SPACE, e.status());
    assertEquals(List.of(2L), reports.removed);
    assertEquals(1000, store.used());
    store.unpin(3);
    put(store, 6, 250);
    assertEquals(List.of(2L, 3L), reports.removed);
  }

  /** Writes and commits a block of {@code length} bytes pinned at commit, as a Sluice-native file's write does. */
  private static void putPinned(BlockStore store, long id, int length) throws RpcException {
    TempBlock b = store.create(id, length);
    StoreFixture.append(b, length);
    b.commitPinned();
  }

  /** Issue 4: a cache full of blocks that are the only copy of their data refuses new ones instead of losing one. */
  @Test
  void storeFullOfBlocksPinnedAtCommitRefusesANewBlockWithNoSpaceAndKeepsThemAll() throws Exception {
    BlockStore store = open(LruPolicy::new, Watermarks.DEFAULT);
    for (long id = 1; id <= 4; id++) {
      tick();
      putPinned(store, id, 250); // the last commit passes the high watermark: nothing evictable, nothing evicted
    }
    assertEquals(4, store.pinnedBlocks());
    RpcException e = assertThrows(RpcException.class, () -> store.create(5, 1));
    assertEquals(Status.NO_SPACE, e.status());
    assertTrue(e.getMessage().contains("4 blocks pinned (1000 bytes)"), e.getMessage());
    assertEquals(List.of(), reports.removed);
    assertEquals(List.of(1L, 2L, 3L, 4L), Arrays.stream(sorted(store.blockIds())).boxed().toList());
    assertEquals(1000, store.used());
  }

  @Test
  void unpinnedBlocksBesidePinnedOnesAreEvictedInPolicyOrder() throws Exception {
    BlockStore store = open(LruPolicy::new);
    tick();
    put(store, 1, 250);
    tick();
    putPinned(store, 2, 250);
    tick();
    put(store, 3, 250);
    tick();
    putPinned(store, 4, 250);
    read(store, 1); // LRU order now: 2 (pinned), 3, 4 (pinned), 1
    tick();
    put(store, 5, 250);
    tick();
    put(store, 6, 250);
    assertEquals(List.of(3L, 1L), reports.removed, "the unpinned ones, least recently used first");
    store.unpin(2); // unpinned: evictable again, and the coldest
    tick();
    put(store, 7, 250);
    assertEquals(List.of(3L, 1L, 2L), reports.removed);
    assertEquals(1, store.pinnedBlocks());
  }

  /** Issue 4: pins are the worker's memory only, so a restarted store evicts nothing before the master's arrive. */
  @Test
  void aRestartedStoreOverItsWatermarkEvictsNothingUntilThePinsAreKnown() throws Exception {
    BlockStore first = open(LruPolicy::new);
    for (long id = 1; id <= 4; id++) {
      tick();
      put(first, id, 250);
    }
    BlockStore store = new BlockStore(TierSpec.parse("HDD:" + dir + ":1000"), false, Watermarks.DEFAULT,
        new LruPolicy(clock));
    store.holdEviction();
    store.open(); // 1000 of 1000: over the high watermark, which a store not held would evict at once
    store.setListener(reports);
    assertEquals(4, store.blockIds().length);
    assertEquals(Status.NO_SPACE, assertThrows(RpcException.class, () -> store.create(5, 1)).status());
    assertTrue(store.pin(1));
    assertTrue(store.pin(2));
    store.releaseEviction();
    assertEquals(1, reports.removed.size(), "down to the low watermark: one block of 250");
    assertTrue(List.of(3L, 4L).containsAll(reports.removed), "an unpinned one: " + reports.removed);
    assertTrue(store.contains(1) && store.contains(2));
  }

  @Test
  void aPinIsForABlockHeldAndGoesWithIt() throws Exception {
    BlockStore store = open(LruPolicy::new);
    assertFalse(store.pin(9), "no block 9 here: nothing to pin");
    put(store, 9, 250);
    assertFalse(store.pinned(9));
    assertTrue(store.pin(9));
    assertEquals(1, store.pinnedBlocks());
    assertTrue(store.delete(9), "an explicit delete (the file is gone) removes a pinned block too");
    assertEquals(0, store.pinnedBlocks());
    put(store, 9, 250);
    assertFalse(store.pinned(9), "the same id cached again is not pinned until the master says so");
  }

  @Test
  void leasedBlocksAreNeverEvictedUntilTheLeaseEnds() throws Exception {
    BlockStore store = open(LruPolicy::new);
    fillAndRead(store);
    tick();
    ReadLease lease = store.openRead(3); // a reader starts on 3 ...
    read(store, 1);
    read(store, 2);
    read(store, 4); // ... and the others are read since: 3 is the least recently used
    tick();
    put(store, 5, 250);
    assertEquals(List.of(1L), reports.removed);
    Path file = lease.path();
    assertEquals(250, Files.size(file), "the reader's file is still whole");
    lease.close();
    lease.close(); // harmless
    tick();
    put(store, 6, 250);
    assertEquals(List.of(1L, 3L), reports.removed);
  }

  @Test
  void noSpaceWhenEveryBlockIsLeasedOrReserved() throws Exception {
    BlockStore store = open(LruPolicy::new);
    put(store, 1, 500);
    ReadLease lease = store.openRead(1);
    TempBlock writing = store.create(2, 500);
    assertEquals(Status.NO_SPACE, assertThrows(RpcException.class, () -> store.create(3, 1)).status());
    writing.abort();
    lease.close();
    put(store, 3, 1000);
    assertEquals(List.of(1L), reports.removed);
  }
}
