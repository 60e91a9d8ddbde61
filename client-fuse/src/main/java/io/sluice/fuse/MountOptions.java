package io.sluice.fuse;

import io.sluice.client.ClientKeys;
import io.sluice.common.conf.SluiceConf;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The libfuse command-line options of a Sluice mount, from {@link FuseKeys}, and the port its metrics are served on.
 *
 * <p>Threading: the mount is served by {@code SessionLoop}, on threads started once: one receives every request and
 * serves it in the kernel's order, as libfuse's single-threaded loop ({@code -s}, passed so libfuse's own parsing
 * agrees) would; reads of files open only for reading go to {@link #readThreads()} more threads, so readers of
 * different files do not queue behind each other. libfuse2's multi-threaded loop is not used: it starts and ends
 * native worker threads as load comes and goes, and jnr-fuse attaches each new one to the JVM as a new Java thread
 * (one fio run was measured at 70,000 threads; DESIGN §10). The ordered thread's callbacks run one at a time, so
 * each must stay short: data moves in at most 128 KiB per request, the client's Netty threads do the network work,
 * and sequential reads are served from the stream's read-ahead rather than a round trip each.
 *
 * <p>Permissions: {@code default_permissions} has the kernel check each caller against the mode, owner and group
 * the mount reports, as for a local file system. The master cannot: it sees every request as the mount's user.
 *
 * <p>Inode numbers: {@code use_ino} reports the master's inode id as {@code st_ino} (and, from readdir, as
 * {@code d_ino}), where libfuse would report its own node number, which is per path and changes across mounts. So the
 * names of a hard link show one number, as {@code tar}, {@code cp -a}, {@code rsync -H} and {@code du} need to see
 * one file, and a file keeps its number across mounts and restarts. Sluice replaces a file it truncates to 0 (an
 * {@code O_TRUNC} open, {@code > file}) with a new one, as it does an overwrite, so such a file gets a new number.
 *
 * <p>Removal: without {@code hard_remove}, libfuse2 renames a file that is removed or renamed over while open here
 * to {@code .fuse_hiddenNNN} first and removes it at the last close, so open descriptors keep reading it (the master
 * reclaims a removed file's blocks at once). The price: a rename over a file open here is two steps, with a moment
 * where other clients see no target, and a crash leaves the hidden file behind. hard_remove was tried and refused:
 * reads of such open files then fail with ENOENT.
 *
 * <p>Speed: {@code big_writes} with {@code max_write=131072} lifts writes from 4 KiB to 128 KiB per request (the
 * libfuse2 ceiling); {@code max_read} matches it. {@code auto_cache} keeps a file's pages in the kernel's page cache
 * across opens (reads at memory speed instead of through the daemon) unless its size or modification time changed
 * since they were cached: libfuse asks for them at each open ({@code ac_attr_timeout=0}; by default it would trust
 * them for the attribute timeout), so a change another client committed (which sets the modification time) is read
 * afresh after the next open, which keeps close-to-open consistency across mounts. {@code splice_write}, only when
 * unchecked reads are spliced ({@link FuseKeys#SPLICE}), lets libfuse move a reply's bytes from a block file into the
 * kernel with splice(2) instead of copying them through this process.
 */
public final class MountOptions {
  /** The largest read or write libfuse2 passes in one request; also the size of the read scratch buffer. */
  public static final int MAX_IO = 131072;

  private final List<String> args;
  private final boolean debug;
  private final int httpPort;
  private final int readThreads;
  private final Duration statusCacheTtl;
  private final int statusCacheEntries;
  private final boolean statAhead;
  private final int backgroundCompletions;
  private final boolean splice;
  private final LongSupplier statusClock;

  private MountOptions(List<String> args, boolean debug, int httpPort, int readThreads, Duration statusCacheTtl,
      int statusCacheEntries, boolean statAhead, boolean splice, int backgroundCompletions,
      LongSupplier statusClock) {
    this.backgroundCompletions = backgroundCompletions;
    this.args = List.copyOf(args);
    this.debug = debug;
    this.httpPort = httpPort;
    this.readThreads = readThreads;
    this.statusCacheTtl = statusCacheTtl;
    this.statusCacheEntries = statusCacheEntries;
    this.statAhead = statAhead;
    this.splice = splice;
    this.statusClock = statusClock;
  }

  /** The options {@code conf} asks for. */
  public static MountOptions from(SluiceConf conf) {
    List<String> o = new ArrayList<>(List.of("default_permissions", "use_ino", "big_writes", "auto_cache",
        "ac_attr_timeout=0", "max_read=" + MAX_IO, "max_write=" + MAX_IO,
        "attr_timeout=" + seconds(conf.get(FuseKeys.ATTR_TIMEOUT)),
        "entry_timeout=" + seconds(conf.get(FuseKeys.ENTRY_TIMEOUT)),
        "negative_timeout=" + seconds(conf.get(FuseKeys.NEGATIVE_TIMEOUT)),
        "fsname=sluice", "subtype=sluice"));
    if (conf.get(FuseKeys.ALLOW_OTHER)) {
      o.add("allow_other");
    }
    int readThreads = conf.get(FuseKeys.READ_THREADS);
    if (readThreads == -1) {
      readThreads = Math.max(0, Math.min(4, Runtime.getRuntime().availableProcessors() - 2));
    } else if (readThreads < 0) {
      throw new IllegalArgumentException(FuseKeys.READ_THREADS.name() + " must be -1 (by the cores) or 0 or more, not "
          + readThreads);
    }
    Duration statusTtl = conf.get(FuseKeys.STATUS_CACHE_TTL);
    int statusEntries = conf.get(FuseKeys.STATUS_CACHE_ENTRIES);
    if (statusTtl.isNegative() || statusEntries < 0) {
      throw new IllegalArgumentException(FuseKeys.STATUS_CACHE_TTL.name() + " and "
          + FuseKeys.STATUS_CACHE_ENTRIES.name() + " must not be negative");
    }
    int completions = conf.get(FuseKeys.BACKGROUND_COMPLETIONS);
    if (completions < 0) {
      throw new IllegalArgumentException(FuseKeys.BACKGROUND_COMPLETIONS.name() + " must not be negative");
    }
    boolean splice = conf.get(FuseKeys.SPLICE) && conf.get(ClientKeys.SHORT_CIRCUIT_SKIP_CHECKSUM);
    if (splice) {
      o.add("splice_write");
    }
    // Last, where they override Sluice's own.
    String extra = conf.get(FuseKeys.EXTRA_OPTIONS).trim();
    if (!extra.isEmpty()) {
      o.add(extra);
    }
    return new MountOptions(List.of("-s", "-o", String.join(",", o)), conf.get(FuseKeys.DEBUG),
        conf.get(FuseKeys.HTTP_PORT), readThreads, statusTtl, statusEntries, conf.get(FuseKeys.STAT_AHEAD), splice,
        completions, System::nanoTime);
  }

  /**
   * These options with the clock that ages the statuses the mount keeps ({@link FuseKeys#STATUS_CACHE_TTL}), in
   * nanoseconds; {@code System::nanoTime} unless a test passes its own, to age them without waiting.
   */
  public MountOptions withStatusClock(LongSupplier nanoTime) {
    return new MountOptions(args, debug, httpPort, readThreads, statusCacheTtl, statusCacheEntries, statAhead,
        splice, backgroundCompletions, nanoTime);
  }

  /** The statuses the mount keeps for lookups ({@link FuseKeys#STATUS_CACHE_TTL}), empty. */
  RecentStatuses recentStatuses() {
    return new RecentStatuses(statusCacheTtl.toNanos(), statusCacheEntries, statusClock);
  }

  /** Released new files completed at once off the ordered thread ({@link FuseKeys#BACKGROUND_COMPLETIONS}). */
  int backgroundCompletions() {
    return backgroundCompletions;
  }

  /** Whether lookups walking a directory in name order list ahead ({@link FuseKeys#STAT_AHEAD}). */
  boolean statAhead() {
    return statAhead;
  }

  /** Whether reads of blocks on this host are spliced from their files ({@link FuseKeys#SPLICE}). */
  boolean splice() {
    return splice;
  }

  /** Arguments for libfuse after the mount point: {@code -s -o opt,opt,...}. */
  public String[] args() {
    return args.toArray(new String[0]);
  }

  /** Threads serving reads of read-only handles beside the ordered one ({@link FuseKeys#READ_THREADS}). */
  public int readThreads() {
    return readThreads;
  }

  public boolean debug() {
    return debug;
  }

  /** Port of the mount's HTTP service ({@link FuseKeys#HTTP_PORT}); 0 picks a free one. */
  public int httpPort() {
    return httpPort;
  }

  /** libfuse takes timeouts as (fractional) seconds. */
  private static String seconds(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("negative FUSE timeout " + d);
    }
    return String.format(Locale.ROOT, "%.3f", d.toMillis() / 1000.0);
  }

  @Override
  public String toString() {
    return String.join(" ", args) + ", " + readThreads + " read threads" + (splice ? ", spliced reads" : "");
  }
}
