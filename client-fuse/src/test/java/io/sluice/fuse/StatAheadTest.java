package io.sluice.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.sluice.common.proto.FileInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StatAheadTest {
  private static final long TTL = TimeUnit.SECONDS.toNanos(1);
  private static final int PAGE = 5;

  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final RecentStatuses statuses = new RecentStatuses(TTL, 10_000, clock::get);
  /** The directories' entries by name, as the master would list them; pages of {@link #PAGE}. */
  private final TreeMap<String, FileInfo> dirA = entries("f", 20);
  private final TreeMap<String, FileInfo> dirB = entries("g", 20);
  private final List<String> listed = new ArrayList<>();

  private final StatAhead ahead = new StatAhead(true, this::page, statuses);

  private static TreeMap<String, FileInfo> entries(String prefix, int n) {
    TreeMap<String, FileInfo> m = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      String name = String.format("%s%02d", prefix, i);
      m.put(name, FileInfo.newBuilder().setName(name).setLength(i).build());
    }
    return m;
  }

  private List<FileInfo> page(String dir, String after) throws IOException {
    listed.add(dir + " after " + after);
    TreeMap<String, FileInfo> d = switch (dir) {
      case "/a" -> dirA;
      case "/b/c" -> dirB;
      default -> throw new IOException("no such directory " + dir);
    };
    return d.tailMap(after, false).values().stream().limit(PAGE).toList();
  }

  /** What getattr does when its status is not kept: ask the master (here: found), keep it, tell stat-ahead. */
  private void lookUp(String path) {
    long generation = statuses.generation();
    statuses.put(path, FileInfo.newBuilder().setName(path.substring(path.lastIndexOf('/') + 1)).build(), generation);
    ahead.found(path, generation);
  }

  @Test
  void sortedLookupsOfExistingEntriesListThePageAfterTheLast() {
    for (int i = 0; i < StatAhead.STREAK - 1; i++) {
      lookUp("/a/f0" + i);
    }
    assertEquals(List.of(), listed, "no page before the streak is complete");
    lookUp("/a/f0" + (StatAhead.STREAK - 1));
    assertEquals(List.of("/a after f03"), listed);
    for (int i = 4; i < 4 + PAGE; i++) {
      FileInfo kept = statuses.get(String.format("/a/f%02d", i));
      assertNotNull(kept, "f" + i + " kept from the page");
      assertEquals(i, kept.getLength(), "the listed status, not a made-up one");
    }
    assertNull(statuses.get("/a/f09"), "past the page");
    assertEquals(PAGE, ahead.entriesKept());
  }

  @Test
  void theStreakStartsOverAfterAPage() {
    for (int i = 0; i < 2 * StatAhead.STREAK; i++) {
      lookUp(String.format("/a/f%02d", i));
    }
    assertEquals(List.of("/a after f03", "/a after f07"), listed);
  }

  @Test
  void aDirectoryUnderAnotherIsListedByItsOwnPath() {
    for (int i = 0; i < StatAhead.STREAK; i++) {
      lookUp("/b/c/g0" + i);
    }
    assertEquals(List.of("/b/c after g03"), listed);
    assertNotNull(statuses.get("/b/c/g04"));
  }

  @Test
  void lookupsOutOfOrderNeverListAhead() {
    for (int i = 19; i >= 0; i--) {
      lookUp(String.format("/a/f%02d", i));
    }
    lookUp("/a/f05");
    lookUp("/a/f05"); // the same name again is not "after" it
    assertEquals(List.of(), listed);
  }

  @Test
  void lookupsAlternatingBetweenDirectoriesNeverListAhead() {
    for (int i = 0; i < 10; i++) {
      lookUp(String.format("/a/f%02d", i));
      lookUp(String.format("/b/c/g%02d", i));
    }
    assertEquals(List.of(), listed);
  }

  @Test
  void aChangeThroughTheMountBetweenLookupsBreaksTheStreak() {
    // What deleting files one by one looks like: a lookup, then the unlink, then the next lookup.
    for (int i = 0; i < 10; i++) {
      lookUp(String.format("/a/f%02d", i));
      statuses.changed();
    }
    assertEquals(List.of(), listed);
  }

  @Test
  void aPageFetchedAcrossAChangeIsNotKept() {
    StatAhead racing = new StatAhead(true, (dir, after) -> {
      List<FileInfo> p = page(dir, after);
      statuses.changed(); // a change through the mount lands while the page is on its way
      return p;
    }, statuses);
    for (int i = 0; i < StatAhead.STREAK; i++) {
      long generation = statuses.generation();
      racing.found("/a/f0" + i, generation);
    }
    assertEquals(List.of("/a after f03"), listed);
    assertNull(statuses.get("/a/f04"), "listed before the change: stale");
  }

  @Test
  void aFailedPageIsOnlyAMissedPrefetch() {
    for (int i = 0; i < StatAhead.STREAK; i++) {
      lookUp("/gone/x" + i);
    }
    assertEquals(List.of("/gone after x3"), listed);
    assertEquals(0, ahead.entriesKept());
  }

  @Test
  void offItNeverLists() {
    StatAhead off = new StatAhead(false, this::page, statuses);
    for (int i = 0; i < 10; i++) {
      long generation = statuses.generation();
      off.found(String.format("/a/f%02d", i), generation);
    }
    assertEquals(List.of(), listed);
    StatAhead noCache = new StatAhead(true, this::page, new RecentStatuses(0, 100, clock::get));
    for (int i = 0; i < 10; i++) {
      noCache.found(String.format("/a/f%02d", i), 0);
    }
    assertEquals(List.of(), listed, "nowhere to keep a page: no page");
  }
}
