package io.sluice.master.mount;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * When the leader last checked metadata against the UFS: whole directory listings (by directory inode id) and
 * single entries (by directory id and name). Soft state of one leader, bounded (least recently checked forgotten
 * first): forgetting only costs a check more, and a new leader checks everything once.
 */
final class SyncTracker {
  private final Map<Long, Long> listings;
  private final Map<String, Long> entries;

  SyncTracker(int maxEntries) {
    this.listings = bounded(maxEntries);
    this.entries = bounded(maxEntries);
  }

  /** Whether the listing of {@code dirId} was synced within {@code intervalMs} (-1: ever) before {@code now}. */
  synchronized boolean listingFresh(long dirId, long intervalMs, long now) {
    return fresh(listings.get(dirId), intervalMs, now);
  }

  synchronized boolean entryFresh(long dirId, String name, long intervalMs, long now) {
    return fresh(entries.get(dirId + "/" + name), intervalMs, now);
  }

  /**
   * Whether a listing of {@code dirId} ever completed on this leader (as far as the bounded memory goes): only then
   * does the namespace hold a whole listing of it to serve while the UFS is unreachable.
   */
  synchronized boolean everListed(long dirId) {
    return listings.containsKey(dirId);
  }

  synchronized void listed(long dirId, long time) {
    listings.put(dirId, time);
  }

  synchronized void checked(long dirId, String name, long time) {
    entries.put(dirId + "/" + name, time);
  }

  private static boolean fresh(Long checkedAt, long intervalMs, long now) {
    if (checkedAt == null) {
      return false;
    }
    return intervalMs < 0 || now - checkedAt < intervalMs;
  }

  private static <K> Map<K, Long> bounded(int max) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, Long> eldest) {
        return size() > max;
      }
    };
  }
}
