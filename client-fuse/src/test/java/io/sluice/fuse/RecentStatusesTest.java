package io.sluice.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.proto.BlockMeta;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RecentStatusesTest {
  private static final long TTL = TimeUnit.SECONDS.toNanos(1);

  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final RecentStatuses statuses = new RecentStatuses(TTL, 100, clock::get);

  private static FileInfo file(String name, int mode) {
    return FileInfo.newBuilder().setName(name).setMode(mode).setLength(10).build();
  }

  @Test
  void aStatusIsServedUntilItsTtlRunsOut() {
    statuses.put("/a", file("a", 0644), statuses.generation());
    clock.addAndGet(TTL - 1);
    assertEquals(0644, statuses.get("/a").getMode());
    clock.addAndGet(1);
    assertNull(statuses.get("/a"), "as old as the TTL: asked again");
    assertNull(statuses.get("/b"), "never fetched");
  }

  @Test
  void aChangeThroughTheMountMakesEveryEarlierStatusStale() {
    statuses.put("/a", file("a", 0644), statuses.generation());
    statuses.put("/b", file("b", 0644), statuses.generation());
    statuses.changed();
    assertNull(statuses.get("/a"));
    assertNull(statuses.get("/b"));
    statuses.put("/a", file("a", 0600), statuses.generation());
    assertEquals(0600, statuses.get("/a").getMode(), "fetched after the change");
  }

  @Test
  void aCreateKeepsItsDirectoryWithTheCreatesTimesAndTheDirectorysTtl() {
    FileInfo dir = directory(100).toBuilder().setName("d").setMode(0755).setCtimeMs(100).build();
    statuses.put("/d", dir, statuses.generation());
    statuses.put("/d/old", file("old", 0644), statuses.generation());
    statuses.put("/", directory(50), statuses.generation());
    clock.addAndGet(TTL / 2);
    statuses.created("/d/new", 700);
    FileInfo kept = statuses.get("/d");
    assertEquals(700, kept.getMtimeMs());
    assertEquals(700, kept.getCtimeMs());
    assertEquals(0755, kept.getMode());
    assertNull(statuses.get("/d/old"), "anything else made stale, as by any change");
    assertNull(statuses.get("/"));
    clock.addAndGet(TTL / 2);
    assertNull(statuses.get("/d"), "the directory's TTL runs from its fetch");

    statuses.put("/", directory(50), statuses.generation());
    statuses.created("/top", 800);
    assertEquals(800, statuses.get("/").getMtimeMs(), "a file in the root directory");
    statuses.created("/x/y", 900);
    assertNull(statuses.get("/x"), "a directory not kept stays unknown");
  }

  @Test
  void aCreateDoesNotReviveADirectoryStatusAChangeEnded() {
    statuses.put("/d", directory(100), statuses.generation());
    statuses.changed();
    statuses.created("/d/f", 700);
    assertNull(statuses.get("/d"));
  }

  @Test
  void aWriteEndsFilesStatusesButNotDirectories() {
    statuses.put("/d", directory(100), statuses.generation());
    statuses.put("/d/f", file("f", 0644), statuses.generation());
    statuses.written();
    assertNull(statuses.get("/d/f"), "its length and times changed");
    assertEquals(100, statuses.get("/d").getMtimeMs());
    long before = statuses.generation();
    statuses.written();
    statuses.put("/e", directory(5), before);
    assertNull(statuses.get("/e"), "fetched before a write: not taken (a change may have come with it)");
    statuses.changed();
    assertNull(statuses.get("/d"), "any other change ends directories' too");
    clock.addAndGet(TTL);
    statuses.put("/d", directory(200), statuses.generation());
    statuses.written();
    clock.addAndGet(TTL);
    assertNull(statuses.get("/d"), "and their TTL");
  }

  private static FileInfo directory(long mtimeMs) {
    return FileInfo.newBuilder().setType(FileType.DIRECTORY).setMtimeMs(mtimeMs).build();
  }

  @Test
  void aPathWithoutXattrsStaysKnownAcrossWritesButNotOtherChangesOrTheTtl() {
    statuses.putNoXattrs("/w", statuses.xattrGeneration());
    statuses.put("/other", file("other", 0644), statuses.generation());
    statuses.written();
    assertTrue(statuses.hasNoXattrs("/w"), "a write changes no xattr");
    assertNull(statuses.get("/other"), "but it does end the statuses");
    assertFalse(statuses.hasNoXattrs("/unknown"));
    clock.addAndGet(TTL - 1);
    assertTrue(statuses.hasNoXattrs("/w"));
    clock.addAndGet(1);
    assertFalse(statuses.hasNoXattrs("/w"), "as old as the TTL: asked again");

    statuses.putNoXattrs("/w", statuses.xattrGeneration());
    statuses.changed(); // e.g. a setxattr through the mount
    assertFalse(statuses.hasNoXattrs("/w"));
    long before = statuses.xattrGeneration();
    statuses.changed();
    statuses.putNoXattrs("/w", before);
    assertFalse(statuses.hasNoXattrs("/w"), "asked before a change: not kept");
  }

  @Test
  void aStatusSaysWhetherItsPathHasXattrs() {
    statuses.put("/a", file("a", 0644), statuses.generation());
    statuses.put("/x", file("x", 0644).toBuilder().setXattrCount(1).build(), statuses.generation());
    assertTrue(statuses.hasNoXattrs("/a"));
    assertFalse(statuses.hasNoXattrs("/x"));
  }

  @Test
  void aLaterStatusWithXattrsEndsAnEarlierNone() {
    statuses.putNoXattrs("/f", statuses.xattrGeneration()); // e.g. this mount created it
    // Another client set one; an open here fetched the status that says so.
    statuses.put("/f", file("f", 0644).toBuilder().setXattrCount(1).build(), statuses.generation());
    statuses.written(); // a write to any file drops the statuses
    assertFalse(statuses.hasNoXattrs("/f"), "the older none came back");
  }

  @Test
  void aFetchThatRacedAChangeIsNotKept() {
    long before = statuses.generation();
    statuses.changed(); // e.g. a chmod completed while the getStatus was on its way
    statuses.put("/a", file("a", 0644), before);
    assertNull(statuses.get("/a"));
    assertEquals(0, statuses.size());
  }

  @Test
  void keepsAttributesOnlyAndNeverMoreThanItsCapacity() {
    FileInfo withBlocks = file("a", 0644).toBuilder().addBlocks(BlockMeta.newBuilder().setBlockId(7).setLength(10))
        .build();
    statuses.put("/a", withBlocks, statuses.generation());
    assertEquals(0, statuses.get("/a").getBlocksCount());
    assertEquals(10, statuses.get("/a").getLength());
    for (int i = 0; i < 1_000; i++) {
      statuses.put("/f" + i, file("f" + i, 0644), statuses.generation());
      assertTrue(statuses.size() <= 100, "size " + statuses.size());
    }
    assertEquals(0644, statuses.get("/f999").getMode(), "the newest is kept");
  }

  /** A listing's entries are kept as readdir hands them out, some time after the page came. */
  @Test
  void aListingsStatusAgesFromItsFetchAndDoesNotReplaceALaterOne() {
    long generation = statuses.generation();
    long listed = statuses.now();
    clock.addAndGet(TTL / 2);
    statuses.put("/opened", file("opened", 0600), generation); // an open's status, fetched after the listing
    statuses.put("/opened", file("opened", 0644), generation, listed);
    statuses.put("/listed", file("listed", 0644), generation, listed);
    assertEquals(0600, statuses.get("/opened").getMode(), "the later fetch stays");
    clock.addAndGet(TTL / 2 - 1);
    assertEquals(0644, statuses.get("/listed").getMode());
    clock.addAndGet(1);
    assertNull(statuses.get("/listed"), "as old as the TTL from the listing, not from when readdir kept it");
    assertEquals(0600, statuses.get("/opened").getMode());
    statuses.put("/opened", file("opened", 0700), generation);
    assertEquals(0700, statuses.get("/opened").getMode(), "a fetch after it replaces it");
  }

  @Test
  void aTtlOfZeroKeepsNothing() {
    RecentStatuses off = new RecentStatuses(0, 100, clock::get);
    assertFalse(off.enabled());
    off.put("/a", file("a", 0644), off.generation());
    assertNull(off.get("/a"));
    assertEquals(0, off.size());
  }
}
