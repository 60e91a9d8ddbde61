package io.sluice.worker;

import io.sluice.common.conf.ConfigKey;
import java.time.Duration;

/** Configuration keys of the worker. */
public final class WorkerKeys {
  private WorkerKeys() {}

  /** Host name clients and the master use to reach this worker; empty means this machine's host name. */
  public static final ConfigKey<String> HOST = ConfigKey.string("sluice.worker.host", "",
      "Host name clients use to reach this worker; empty means this machine's host name.");

  /** Address the data server listens on. */
  public static final ConfigKey<String> BIND_HOST = ConfigKey.string("sluice.worker.bind.host", "0.0.0.0",
      "Address the data server listens on.");

  /** Port of the data server (block reads and writes); 0 picks a free port. */
  public static final ConfigKey<Integer> DATA_PORT = ConfigKey.integer("sluice.worker.data.port", 7080,
      "Port of the data server; 0 picks a free port.");

  /**
   * Port of the HTTP service: {@code /metrics} (Prometheus text) and {@code /health}, bound on
   * {@code sluice.worker.bind.host}. 0 picks a free port (tests). When the port is taken (several workers on one
   * host) the worker logs a warning and runs without it.
   */
  public static final ConfigKey<Integer> HTTP_PORT = ConfigKey.integer("sluice.worker.http.port", 7082,
      "Port of the worker's HTTP service (/metrics, /health); 0 picks a free port. If taken, a warning is logged and "
      + "the worker runs without it.");

  /**
   * Cache tiers (DESIGN §5, §7): comma-separated {@code ALIAS:/dir:capacity}, where ALIAS is MEM, SSD or HDD and a
   * tier may list several directories separated by {@code ;}, each with its own capacity, e.g.
   * {@code MEM:/dev/shm/sluice:4g,SSD:/var/lib/sluice/ssd:100g,HDD:/a:1t;/b:2t}. New blocks go to the fastest
   * tier with room. Parsed and validated by {@link io.sluice.worker.block.TierSpec#parse}.
   */
  public static final ConfigKey<String> TIERS = ConfigKey.string("sluice.worker.tiers",
      "HDD:sluice-data/worker:10g", "Cache tiers, fastest first, as ALIAS:/dir:capacity[;/dir:capacity],...; "
          + "ALIAS is MEM, SSD or HDD.");

  /**
   * A tier whose used plus reserved bytes pass this fraction of its capacity is evicted down to
   * {@link #EVICTION_LOW_WATERMARK}; a number in (0, 1], validated by {@link io.sluice.worker.block.Watermarks}.
   */
  public static final ConfigKey<String> EVICTION_HIGH_WATERMARK = ConfigKey.string(
      "sluice.worker.eviction.high.watermark", "0.95", "Fraction of a tier's capacity that starts eviction.");

  /** Where eviction stops, as a fraction of the tier's capacity; in (0, high watermark]. */
  public static final ConfigKey<String> EVICTION_LOW_WATERMARK = ConfigKey.string(
      "sluice.worker.eviction.low.watermark", "0.85", "Fraction of a tier's capacity eviction brings it down to.");

  /**
   * Eviction order: {@code LRU} (least recently read first) or {@code LFU} (least often read first); see
   * {@link io.sluice.worker.block.EvictionPolicy#named}.
   */
  public static final ConfigKey<String> EVICTOR = ConfigKey.string("sluice.worker.evictor", "LRU",
      "Eviction order: LRU or LFU.");

  /**
   * MEM pre-touch (DESIGN §10): bytes of each MEM tier directory (capped at its capacity) to fill with zero-written
   * files at start, in 64 MiB files on a background thread (startup does not wait), and keep as that directory's
   * pool of freed files. On a VM with free-page reporting, memory touched for the first time faults in at about
   * 0.2 GiB/s while recycled pages run at GB/s: with this, the first blocks written land on resident pages. The
   * files are free space (the next blocks consume them), but the memory stays taken from the host. 0 (the default)
   * pre-touches nothing; freed MEM block files are reused either way.
   */
  public static final ConfigKey<Long> MEM_PRETOUCH = ConfigKey.bytes("sluice.worker.mem.pretouch", "0",
      "Bytes of each MEM dir to pre-touch at start (zero-written files kept for the next blocks); 0 = off.");

  /** How often the worker reports to the master. */
  public static final ConfigKey<Duration> HEARTBEAT_INTERVAL = ConfigKey.duration(
      "sluice.worker.heartbeat.interval", "1s", "How often the worker reports capacity and block changes.");

  /** Largest data frame the worker sends for a block read. */
  public static final ConfigKey<Long> READ_CHUNK_SIZE = ConfigKey.bytes("sluice.worker.read.chunk.size", "1m",
      "Largest data frame sent for a block read.");

  /**
   * How cached blocks go to remote readers ({@link io.sluice.worker.data.TransferMode}): {@code zero-copy} (a
   * FileRegion: sendfile on epoll), {@code copy} (read into a buffer, then written) or {@code mapped} (as copy, but a
   * MEM block read before is kept mapped and written from the mapping).
   */
  public static final ConfigKey<String> DATA_TRANSFER = ConfigKey.string("sluice.worker.data.transfer", "zero-copy",
      "How cached blocks are sent to remote readers: zero-copy (sendfile), copy (read, then write) or mapped (as "
          + "copy, but MEM blocks read before are kept mapped and written from the mapping).");

  /** Whether a committed block is fsynced before it becomes visible (slower; survives power loss). */
  public static final ConfigKey<Boolean> WRITE_SYNC = ConfigKey.bool("sluice.worker.write.sync", false,
      "fsync each block before committing it.");

  /**
   * UFS threads (DESIGN 5, read-through): how many reads of blocks this worker does not hold may talk to UFSs at
   * once. Each block being loaded into the cache holds one thread until its whole block is read; uncached reads
   * borrow one per chunk. UFS calls block, so they never run on the data server's event loops. At least 1.
   */
  public static final ConfigKey<Integer> UFS_THREADS = ConfigKey.integer("sluice.worker.ufs.threads", 8,
      "Threads reading blocks from UFSs (read-through); at least 1.");

  /**
   * Bytes a block load reads from the UFS at a time; readers following the load are woken after each, so it also
   * bounds how long a reader waits beyond its chunk's bytes. Between 4k and 64m.
   */
  public static final ConfigKey<Long> UFS_BUFFER_SIZE = ConfigKey.bytes("sluice.worker.ufs.buffer.size", "256k",
      "Bytes read from the UFS at a time when loading a block; between 4k and 64m.");

  /**
   * Short-circuit reads (DESIGN 5): whether a client on this host may read committed block files directly under a
   * read lease (OPEN_LOCAL_BLOCK) instead of over the block RPC. When false the worker answers PERMISSION_DENIED and
   * clients read remotely. Reading the file also needs the client's OS user to be allowed to read the tier dirs.
   */
  public static final ConfigKey<Boolean> SHORT_CIRCUIT_ENABLED = ConfigKey.bool("sluice.worker.short.circuit.enabled",
      true, "Let clients on this host read block files directly under a lease (short-circuit reads).");

  /**
   * Short-circuit leases one connection may hold at once; each pins a block against eviction, so this bounds what
   * one client can keep from being evicted. A further OPEN_LOCAL_BLOCK fails with UNAVAILABLE (the client then reads
   * remotely). At least 1.
   */
  public static final ConfigKey<Integer> SHORT_CIRCUIT_MAX_LEASES = ConfigKey.integer(
      "sluice.worker.short.circuit.max.leases", 1024,
      "Short-circuit leases (blocks pinned against eviction) one client connection may hold at once; at least 1.");

  /**
   * How long a short-circuit open of an uncached UFS block waits for the worker to cache it before answering
   * NOT_FOUND, so the client reads the block remotely instead (joining the same load, getting bytes as they land).
   * Keeps a slow UFS from holding the first byte back for a whole block, and keeps the answer well inside the
   * client's call timeout (a lease granted after the client gave up would stay pinned until its connection closes).
   * A client following the load (reading the file as it fills) is answered its WAIT_LOCAL_BLOCK after this long with
   * what is in the file then, and waits again.
   */
  public static final ConfigKey<Duration> SHORT_CIRCUIT_LOAD_WAIT = ConfigKey.duration(
      "sluice.worker.short.circuit.load.wait", "5s",
      "How long a short-circuit open of an uncached UFS block waits for the load before the client reads remotely.");

  /**
   * Where the worker keeps its short-circuit token (DESIGN 5; worker.proto, SHORT_CIRCUIT_CHALLENGE): random bytes,
   * new at each start, written atomically with mode 0600 (0640 with {@link #SHORT_CIRCUIT_GROUP}). A client proves
   * it may read short-circuit by reading this file, so only clients of the worker's OS user (or that group) on this
   * host get leases; every other client reads over the block RPC. Empty (the default) means
   * {@code short-circuit.token} in the first directory of the first tier. Not written when short-circuit is
   * disabled.
   */
  public static final ConfigKey<String> SHORT_CIRCUIT_TOKEN_FILE = ConfigKey.string(
      "sluice.worker.short.circuit.token.file", "",
      "File the worker writes its short-circuit token to (mode 0600, new at each start); clients that can read it "
          + "may read block files directly. Empty: short-circuit.token in the first tier's first directory.");

  /**
   * A group whose members may also read short-circuit: the token file is given to it with mode 0640. The worker's OS
   * user must be allowed to give files to that group (be a member, or root); the worker does not start otherwise.
   * Members also need read access to the tier directories and block files. Empty (the default): the worker's OS
   * user only.
   */
  public static final ConfigKey<String> SHORT_CIRCUIT_GROUP = ConfigKey.string("sluice.worker.short.circuit.group",
      "", "OS group whose members may also read short-circuit (the token file becomes 0640, that group's); empty: "
          + "only the worker's OS user.");

  /**
   * Block copies this worker runs at once for decommissions ({@code sluice admin decommission}): each reads a whole
   * block from the decommissioning worker and writes it to this one's store, on a thread of its own. The master
   * bounds how many it hands out per decommissioning worker; this bounds what one target takes on. At least 1.
   */
  public static final ConfigKey<Integer> COPY_THREADS = ConfigKey.integer("sluice.worker.copy.threads", 4,
      "Block copies from other workers (decommission drains) run at once on this worker; at least 1.");
}
