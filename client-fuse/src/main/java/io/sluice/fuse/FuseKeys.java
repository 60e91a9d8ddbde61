package io.sluice.fuse;

import io.sluice.common.conf.ConfigKey;
import java.time.Duration;

/**
 * Configuration keys of the FUSE mount ({@code sluice.fuse.*}), each with its default. Read once, when a
 * {@link FuseMount} is made (see {@link MountOptions}). The Java client under the mount reads its own
 * {@code sluice.user.*} keys from the same configuration.
 */
public final class FuseKeys {
  private FuseKeys() {}

  /**
   * How long the kernel may cache a file's attributes (size, mode, times) before asking again. Longer means fewer
   * GETATTR round trips (~35-70 us each) but a change made by another client shows up later.
   */
  public static final ConfigKey<Duration> ATTR_TIMEOUT = ConfigKey.duration("sluice.fuse.attr.timeout", "1s",
      "How long the kernel caches file attributes before asking the FUSE daemon again.");

  /**
   * How long the mount itself serves a status it fetched from the master (from a directory listing or a lookup)
   * to the kernel's lookups and xattr probes, so {@code ls -l} or {@code find} over a listed directory costs no master
   * round trip per entry ({@code RecentStatuses}). Same trade-off as the attribute timeout, and by default the same
   * value: a change by another client shows within this plus the attribute timeout; a change through this mount, at
   * once. 0 turns it off.
   */
  public static final ConfigKey<Duration> STATUS_CACHE_TTL = ConfigKey.duration("sluice.fuse.status.cache.ttl",
      "1s", "How long the mount answers lookups and xattr probes from statuses it fetched (e.g. by listing a "
      + "directory) before asking the master again; 0 = always ask.");

  /** The most statuses the mount keeps for {@link #STATUS_CACHE_TTL}; when full it starts over empty. */
  public static final ConfigKey<Integer> STATUS_CACHE_ENTRIES = ConfigKey.integer("sluice.fuse.status.cache.entries",
      100_000, "The most statuses the mount keeps (attributes only, a few hundred bytes each).");

  /**
   * List ahead when lookups walk a directory in name order without listing it ({@code StatAhead}): after a few such
   * lookups the mount fetches the next page of the directory (the client's list page size) and answers the lookups
   * that follow from it for {@link #STATUS_CACHE_TTL}. Needs that TTL above 0.
   */
  public static final ConfigKey<Boolean> STAT_AHEAD = ConfigKey.bool("sluice.fuse.statahead", true,
      "After a few lookups of a directory's entries in name order, fetch the next page of its listing and answer "
      + "the lookups that follow from it (within sluice.fuse.status.cache.ttl).");

  /**
   * Answer reads of blocks on this host by splicing from the block file into the kernel's reply (libfuse's
   * {@code read_buf} and {@code -o splice_write}) instead of copying the bytes through the mount process: fewer
   * copies, less CPU per byte. Only where the client does not check those bytes
   * ({@code sluice.user.short.circuit.skip.checksum}: a spliced byte never reaches the process); checked bytes are
   * copied, which measured faster than checking them through a mapping and splicing them (bench/RESULTS.md). The
   * reply is sent after the callback returns, so the file's descriptor and lease are held until then, whatever other
   * threads do with the handle.
   */
  public static final ConfigKey<Boolean> SPLICE = ConfigKey.bool("sluice.fuse.splice", true,
      "Splice reads of blocks on this host from the block file into the reply, without copying them through the "
      + "mount process; only with sluice.user.short.circuit.skip.checksum=true.");

  /** How long the kernel may cache a name lookup (name -> inode), same trade-off as the attribute timeout. */
  public static final ConfigKey<Duration> ENTRY_TIMEOUT = ConfigKey.duration("sluice.fuse.entry.timeout", "1s",
      "How long the kernel caches a name lookup before asking the FUSE daemon again.");

  /**
   * How long the kernel may remember that a name does not exist. 0 (the default) because a file created by
   * another client must become visible at once for close-to-open consistency.
   */
  public static final ConfigKey<Duration> NEGATIVE_TIMEOUT = ConfigKey.duration("sluice.fuse.negative.timeout",
      "0s", "How long the kernel remembers that a name does not exist (0 = not at all).");

  /** Let users other than the one who mounted use the mount (needs user_allow_other in /etc/fuse.conf, or root). */
  public static final ConfigKey<Boolean> ALLOW_OTHER = ConfigKey.bool("sluice.fuse.allow.other", false,
      "Let other users access the mount (needs user_allow_other in /etc/fuse.conf unless root).");

  /** Extra comma-separated libfuse {@code -o} options appended to Sluice's own, for tuning without a rebuild. */
  public static final ConfigKey<String> EXTRA_OPTIONS = ConfigKey.string("sluice.fuse.options", "",
      "Extra comma-separated libfuse -o options appended to the defaults.");

  /** Log every FUSE request (libfuse's -d); very verbose, for debugging only. */
  public static final ConfigKey<Boolean> DEBUG = ConfigKey.bool("sluice.fuse.debug", false,
      "Log every FUSE request to stderr (libfuse -d); for debugging only.");

  /**
   * Port of the mount process's HTTP service: {@code /metrics} (Prometheus text, {@link FuseOpMetrics}) and
   * {@code /health}, on all interfaces. 0 picks a free port (tests). When the port is taken (several mounts on one
   * host) the mount logs a warning and runs without it, as the servers do.
   */
  public static final ConfigKey<Integer> HTTP_PORT = ConfigKey.integer("sluice.fuse.http.port", 7092,
      "Port of the FUSE mount's HTTP service (/metrics, /health); 0 picks a free port. If taken, a warning is logged "
      + "and the mount runs without it.");

  /**
   * Released new files completed at once in the background ({@code BackgroundCompletions}): a RELEASE's answer
   * waits for nothing, since {@code close(2)} returned before the kernel sent it, and the requests after it (the
   * next file's lookup and create) need not wait for the file's last block and COMPLETE_FILE. Requests about the
   * file or its directories still wait for it, so the mount sees it complete after its close. A release beyond
   * this many completes its file itself. 0: every release completes its file before the next request.
   */
  public static final ConfigKey<Integer> BACKGROUND_COMPLETIONS = ConfigKey.integer(
      "sluice.fuse.background.completions", 8, "Released new files completed at once in the background, off the "
      + "thread serving requests in order (0: each release completes its file before the next request).");

  /**
   * Threads that serve reads of files open only for reading, beside the one thread that serves every other request
   * in kernel order ({@code SessionLoop}). Started with the mount and kept for its life, so the mount's thread count
   * is this plus one under any load. 0 serves everything on the one thread. -1 (the default) picks by the cores:
   * {@code min(4, cores - 2)}, so none on 2 cores, where the kernel's copies and the readers already fill both cores
   * and passing requests between threads was measured to cost more than it gained (bench/RESULTS.md).
   */
  public static final ConfigKey<Integer> READ_THREADS = ConfigKey.integer("sluice.fuse.read.threads", -1,
      "Threads serving reads of files open read-only, beside the one serving all other requests in order; fixed "
      + "for the mount's life. 0 = all requests on one thread; -1 = min(4, cores - 2).");
}
