package io.sluice.fuse;

import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Statuses this mount fetched from the master in the last moments, so that what programs do right after listing a
 * directory ({@code ls -l}, {@code find}, {@code du}, {@code rsync}: a lookup of every entry, and for {@code ls} an
 * xattr probe of each) is answered without a master round trip per entry. libfuse2's high-level API has no
 * READDIRPLUS to hand the kernel the attributes with the names, so this is where the listing's attributes are kept.
 *
 * <p>Freshness is the kernel's own rule for attributes: a status is served for at most the TTL after it was fetched
 * ({@link FuseKeys#STATUS_CACHE_TTL}, by default the attribute timeout's 1 s), so a change made by another client
 * shows within the TTL plus the kernel's attribute timeout. A change made through this mount shows at once: every
 * callback that changes anything calls {@link #changed} when it is done, which makes every status fetched before
 * it stale (a generation count; a fetch records the generation from before it asked, so one that raced a change
 * is never served after it); a create keeps its directory's, with the times the create gave it ({@link #created}).
 * Opens do not take from it: each asks the master and puts the answer here, so that stats after an open see the
 * file as it was opened (close-to-open consistency across mounts).
 *
 * <p>It also keeps which paths the master said have no xattrs at all ({@link #putNoXattrs}), with the same TTL,
 * because the kernel asks for {@code security.capability} before every WRITE: without them a file being written
 * cost a master call per write. A WRITE changes a file's content, length and times, never a name or an xattr, so
 * it ends the statuses of files ({@link #written}) but not these, nor the statuses of directories (kept apart for
 * that); every other change ends all of them ({@link #changed}). As with
 * the mode's set-id bits in the kernel's attribute cache, a file capability another client sets shows to this
 * mount's writes only after the TTL: until then a write here does not drop it.
 *
 * <p>Bounded: at {@link #capacity} statuses (or paths without xattrs) it starts over empty. Statuses are kept without
 * their block lists (attributes only).
 */
final class RecentStatuses {
  private record Entry(FileInfo info, long generation, long fetchedNanos) {}

  /** A path the master said had no xattrs, at {@code fetchedNanos}, asked at xattr generation {@code generation}. */
  private record NoXattrs(long generation, long fetchedNanos) {}

  private final long ttlNanos;
  private final int capacity;
  private final LongSupplier nanoTime;
  /**
   * Of all but directories. Replaced, not cleared, when emptied: clearing walks the table, which a listing left
   * big.
   */
  private volatile ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  /** Of directories, each with the {@link #xattrGeneration} it was kept at: a WRITE leaves them. */
  private volatile ConcurrentHashMap<String, Entry> directories = new ConcurrentHashMap<>();
  private final AtomicLong generation = new AtomicLong();
  private volatile ConcurrentHashMap<String, NoXattrs> withoutXattrs = new ConcurrentHashMap<>();
  /** Moves with {@link #generation} on every change but a WRITE's: the generation of names, xattrs, directories. */
  private final AtomicLong xattrGeneration = new AtomicLong();

  /**
   * @param ttlNanos how long a status is served after it was fetched; 0 keeps none
   * @param capacity the most statuses kept
   * @param nanoTime the clock ({@code System::nanoTime} outside tests)
   */
  RecentStatuses(long ttlNanos, int capacity, LongSupplier nanoTime) {
    this.ttlNanos = ttlNanos;
    this.capacity = capacity;
    this.nanoTime = nanoTime;
  }

  /** Whether statuses are kept at all (a TTL above 0). */
  boolean enabled() {
    return ttlNanos > 0 && capacity > 0;
  }

  /** The generation to pass to {@link #put}: read it before asking the master. */
  long generation() {
    return generation.get();
  }

  /** The status of {@code path} if one fetched since the last change and within the TTL is kept, else null. */
  FileInfo get(String path) {
    if (!enabled()) {
      return null;
    }
    Entry e = entries.get(path);
    if (e != null) {
      if (e.generation == generation.get() && nanoTime.getAsLong() - e.fetchedNanos < ttlNanos) {
        return e.info;
      }
      entries.remove(path, e);
    }
    Entry d = directories.get(path);
    if (d != null) {
      if (d.generation == xattrGeneration.get() && nanoTime.getAsLong() - d.fetchedNanos < ttlNanos) {
        return d.info;
      }
      directories.remove(path, d);
    }
    return null;
  }

  /** Keeps {@code info} as the status of {@code path}, fetched now by a call started at {@code fetchGeneration}. */
  void put(String path, FileInfo info, long fetchGeneration) {
    put(path, info, fetchGeneration, nanoTime.getAsLong());
  }

  /**
   * Keeps {@code info}, fetched at {@code fetchedNanos} ({@link #now}) by a call started at {@code fetchGeneration}:
   * for a listing's entries, kept as readdir hands them out, which can be a while after the page came. Its TTL
   * runs from then, and a status fetched later (an open's) is not replaced by it.
   */
  void put(String path, FileInfo info, long fetchGeneration, long fetchedNanos) {
    // Read before the check: a change after it then leaves a directory's status stale, never taken for current.
    long names = xattrGeneration.get();
    if (!enabled() || fetchGeneration != generation.get()) {
      return;
    }
    boolean dir = info.getType() == FileType.DIRECTORY;
    ConcurrentHashMap<String, Entry> map = dir ? directories : entries;
    if (map.size() >= capacity) {
      map = new ConcurrentHashMap<>();
      if (dir) {
        directories = map;
      } else {
        entries = map;
      }
    }
    (dir ? entries : directories).remove(path);  // its type changed elsewhere
    if (info.getXattrCount() > 0) {
      withoutXattrs.remove(path); // an older "none" must not come back once this status is dropped
    }
    FileInfo attributes = info.getBlocksCount() == 0 ? info : info.toBuilder().clearBlocks().build();
    Entry fetched = new Entry(attributes, dir ? names : fetchGeneration, fetchedNanos);
    map.merge(path, fetched, (kept, next) -> kept.generation == next.generation
        && kept.fetchedNanos > next.fetchedNanos ? kept : next);
  }

  /** The clock's time, to pass to {@link #put(String, FileInfo, long, long)} for a status fetched now. */
  long now() {
    return nanoTime.getAsLong();
  }

  /** Something changed through this mount: no status or absence of xattrs kept so far is served again. */
  void changed() {
    xattrGeneration.incrementAndGet();
    if (!withoutXattrs.isEmpty()) {
      withoutXattrs = new ConcurrentHashMap<>();
    }
    if (!directories.isEmpty()) {
      directories = new ConcurrentHashMap<>();
    }
    written();
  }

  /**
   * A file was made at {@code path} through this mount, stamped {@code timeMs} by the master: as {@link #changed},
   * except that the directory's status, when kept, stays, with that time as its mtime and ctime. That is all a new
   * file changes of its directory (the master stamps both with the new inode's time; its link count moves only for
   * a directory), and the kernel asks for the directory's attributes again after every create (its permission
   * check for the next one), which otherwise cost a master call per file. The directory's status keeps the TTL of
   * its fetch.
   */
  void created(String path, long timeMs) {
    int slash = path.lastIndexOf('/');
    String dir = slash <= 0 ? "/" : path.substring(0, slash);
    Entry kept = directories.get(dir);
    boolean fresh = kept != null && kept.generation == xattrGeneration.get()
        && nanoTime.getAsLong() - kept.fetchedNanos < ttlNanos;
    changed();
    if (fresh) {
      FileInfo updated = kept.info.toBuilder().setMtimeMs(timeMs).setCtimeMs(timeMs).build();
      directories.put(dir, new Entry(updated, xattrGeneration.get(), kept.fetchedNanos));
    }
  }

  /**
   * A file's content changed through this mount: no status of a file kept so far is served again. Directories' are
   * (a file's content, length and times are none of its directory's).
   */
  void written() {
    generation.incrementAndGet();
    if (!entries.isEmpty()) {
      entries = new ConcurrentHashMap<>();
    }
  }

  /** The xattr generation to pass to {@link #putNoXattrs}: read it before asking the master. */
  long xattrGeneration() {
    return xattrGeneration.get();
  }

  /** Keeps that {@code path} has no xattrs, as the master said now to a call started at {@code fetchGeneration}. */
  void putNoXattrs(String path, long fetchGeneration) {
    if (!enabled() || fetchGeneration != xattrGeneration.get()) {
      return;
    }
    ConcurrentHashMap<String, NoXattrs> map = withoutXattrs;
    if (map.size() >= capacity) {
      map = new ConcurrentHashMap<>();
      withoutXattrs = map;
    }
    map.put(path, new NoXattrs(fetchGeneration, nanoTime.getAsLong()));
  }

  /** Whether a status or xattr call fetched within the TTL, and since the last change, says {@code path} has none. */
  boolean hasNoXattrs(String path) {
    FileInfo recent = get(path);
    if (recent != null) {
      return recent.getXattrCount() == 0;
    }
    NoXattrs n = enabled() ? withoutXattrs.get(path) : null;
    if (n == null) {
      return false;
    }
    if (n.generation != xattrGeneration.get() || nanoTime.getAsLong() - n.fetchedNanos >= ttlNanos) {
      withoutXattrs.remove(path, n);
      return false;
    }
    return true;
  }

  /** Statuses kept now, fresh or not yet dropped. */
  int size() {
    return entries.size() + directories.size();
  }
}
