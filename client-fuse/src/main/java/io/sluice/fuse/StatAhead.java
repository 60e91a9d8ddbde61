package io.sluice.fuse;

import io.sluice.common.proto.FileInfo;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stat-ahead: when a program looks up the entries of a directory one after another in name order without listing it
 * first ({@code stat dir/*} and every other shell glob, which expand sorted; a sorted walk; a script stat-ing names
 * it knows), the mount fetches the next page of the directory's listing, the entries after the name just looked up,
 * and keeps their statuses in {@link RecentStatuses}, so the lookups that follow are answered without a master
 * round trip each. A listing page of 1,000 entries costs about what a handful of single lookups do. Lustre's
 * statahead does the same for a readdir followed by stats; here the trigger is the order of the names, because the
 * master lists in name order and libfuse2 tells the daemon nothing of a readdir that came before.
 *
 * <p>Triggered by {@link #STREAK} lookups in a row, each answered by the master with an existing entry (a lookup of
 * a missing name, as before a create, does not count), all in the same directory, each name after the one before,
 * with nothing changed through the mount in between (a change makes every kept status stale, so a page fetched
 * between changes, as when files are deleted one by one, would be wasted). After a page, the streak starts over:
 * a long sorted walk costs a page per page of names plus a few single lookups. Only the last directory is tracked:
 * two walks interleaved in different directories each break the other's streak and get no stat-ahead.
 *
 * <p>Thread-safe; the page is fetched on the calling thread, outside the lock.
 */
final class StatAhead {
  /** Sorted lookups of existing entries in one directory, in a row, that make the mount list ahead. */
  static final int STREAK = 4;

  private static final Logger LOG = LoggerFactory.getLogger(StatAhead.class);

  /** The entries of a directory after a name, in name order: one page of its listing. */
  @FunctionalInterface
  interface Pages {
    List<FileInfo> after(String dir, String name) throws IOException;
  }

  private final boolean enabled;
  private final Pages pages;
  private final RecentStatuses statuses;
  private final LongAdder kept = new LongAdder();
  private String dir;
  private String lastName;
  private long generation;
  private int streak;

  /**
   * @param enabled whether to list ahead at all ({@link FuseKeys#STAT_AHEAD})
   * @param pages where pages come from (the master's listing, paged by the client's list page size)
   * @param statuses where the page's statuses go
   */
  StatAhead(boolean enabled, Pages pages, RecentStatuses statuses) {
    this.enabled = enabled && statuses.enabled();
    this.pages = pages;
    this.statuses = statuses;
  }

  /**
   * The master answered a lookup of {@code path} with an existing entry, asked at {@code generation} (of
   * {@link RecentStatuses}); at the end of a streak, lists the page after it.
   */
  void found(String path, long generation) {
    if (!enabled) {
      return;
    }
    int slash = path.lastIndexOf('/');
    if (slash < 0 || slash == path.length() - 1) {
      return; // the root
    }
    String parent = slash == 0 ? "/" : path.substring(0, slash);
    String name = path.substring(slash + 1);
    if (!extendStreak(parent, name, generation)) {
      return;
    }
    try {
      List<FileInfo> page = pages.after(parent, name);
      String prefix = parent.equals("/") ? "/" : parent + "/";
      for (FileInfo entry : page) {
        statuses.put(prefix + entry.getName(), entry, generation);
      }
      kept.add(page.size());
    } catch (IOException | RuntimeException e) {
      // Only a prefetch: the lookups that follow ask the master one by one, as without it.
      LOG.debug("stat-ahead of {} after {} failed: {}", parent, name, e.toString());
    }
  }

  /** Counts this lookup into the streak; true when the streak is complete (and starts it over). */
  private synchronized boolean extendStreak(String parent, String name, long fetchGeneration) {
    boolean continues = parent.equals(dir) && fetchGeneration == generation && name.compareTo(lastName) > 0;
    streak = continues ? streak + 1 : 1;
    dir = parent;
    lastName = name;
    generation = fetchGeneration;
    if (streak < STREAK) {
      return false;
    }
    streak = 0;
    return true;
  }

  /** Statuses kept from stat-ahead pages so far. */
  long entriesKept() {
    return kept.sum();
  }
}
