package io.sluice.master;

import io.sluice.common.conf.ConfigKey;
import java.time.Duration;

/** Configuration keys of the master (DESIGN §7). {@code sluice.master.addresses} is in {@code CommonKeys}. */
public final class MasterKeys {
  private MasterKeys() {}

  /** Port of the client and worker RPC service; 0 picks a free port (tests). */
  public static final ConfigKey<Integer> RPC_PORT = ConfigKey.integer("sluice.master.rpc.port", 7070,
      "Port of the master's RPC service for clients and workers; 0 picks a free port.");

  /**
   * Port of the HTTP service: {@code /metrics} (Prometheus text) and {@code /health}. 0 picks a free port (tests).
   * Bound on the same host as the RPC service. When the port is taken (several masters on one host) the master
   * logs a warning and runs without it.
   */
  public static final ConfigKey<Integer> HTTP_PORT = ConfigKey.integer("sluice.master.http.port", 7072,
      "Port of the master's HTTP service (/metrics, /health); 0 picks a free port. If taken, a warning is logged and "
      + "the master runs without it.");

  /**
   * Port of the Raft (Ratis) service between masters; 0 picks a free port (tests). The master's Raft id is derived
   * from the host and this configured value, so it must stay the same across restarts.
   */
  public static final ConfigKey<Integer> RAFT_PORT = ConfigKey.integer("sluice.master.raft.port", 7071,
      "Port of the Raft service between masters; 0 picks a free port. Keep it fixed across restarts.");

  /**
   * The address the master binds and advertises. Empty: bind all interfaces and advertise this machine's host
   * name.
   */
  public static final ConfigKey<String> HOST = ConfigKey.string("sluice.master.host", "",
      "Host or IP the master binds and advertises; empty binds all interfaces and advertises the host name.");

  /** Where the master keeps its state: {@code journal/} (the Raft log) and {@code metastore/} (RocksDB). */
  public static final ConfigKey<String> DIR = ConfigKey.string("sluice.master.dir", "sluice-data/master",
      "Directory of the master's Raft log (journal/) and namespace store (metastore/).");

  /** How long a worker may go without a heartbeat before the master considers it lost. */
  public static final ConfigKey<Duration> WORKER_TIMEOUT = ConfigKey.duration("sluice.master.worker.timeout",
      "30s", "A worker silent this long is lost: its blocks stop being served from it until it registers again.");

  /** Block size of files whose creator did not choose one (clients usually send sluice.user.block.size). */
  public static final ConfigKey<Long> DEFAULT_BLOCK_SIZE = ConfigKey.bytes("sluice.master.default.block.size",
      "64m", "Block size of a new file when the client does not give one.");

  /** How long startup waits for this master to lead its Raft group before giving up. */
  public static final ConfigKey<Duration> STARTUP_TIMEOUT = ConfigKey.duration("sluice.master.startup.timeout",
      "60s", "How long the master waits at startup to become leader and replay its log.");

  /** Threads that run RPC work (RocksDB reads, proposals) off the network event loops. */
  public static final ConfigKey<Integer> RPC_THREADS = ConfigKey.integer("sluice.master.rpc.threads", 8,
      "Threads running master RPC calls off the network threads.");

  /**
   * Answer a GET_STATUS on the network thread that received it, without the hand-off to the RPC threads, when nothing
   * in it can wait: a sole master that leads and has applied its log, a path under no UFS mount, a user already
   * resolved. Two thread wake-ups fewer per call: one client's stats ran 2x faster on a 2-core VM (bench/RESULTS.md).
   * The price: a RocksDB read that must go to disk holds that network thread's other connections meanwhile.
   */
  public static final ConfigKey<Boolean> RPC_INLINE_READS = ConfigKey.bool("sluice.master.rpc.inline.reads", true,
      "Answer cheap status reads on the network thread (a sole master, paths outside UFS mounts); false sends every "
      + "call to the RPC threads.");

  /**
   * How long a block version may stay allocated but uncommitted before a worker reporting it may drop it. A writer
   * commits its versions within seconds of allocating them, except a client streaming a rewritten block, which
   * holds one for at most {@code sluice.user.edit.stream.max.age} (10 min); so only a writer that died leaves one
   * this old. Keep it well above that client key.
   */
  public static final ConfigKey<Duration> BLOCK_VERSION_PENDING_EXPIRY = ConfigKey.duration(
      "sluice.master.block.version.pending.expiry", "1h",
      "How long an allocated, uncommitted block version is kept on workers before it counts as abandoned.");

  /**
   * How long a read of a file waits for its completion once its writer said it is closing it (FILE_CLOSING: a FUSE
   * mount's close(2) returns at FLUSH, the file completes at the RELEASE that follows), so that another client or
   * mount that opens the file after the close reads all of it. Normally a millisecond or two; the bound is for a
   * writer that dies in between. 0 turns the wait off (readers then may see such a file incomplete for that moment).
   * Keep it well below the clients' {@code sluice.rpc.call.timeout} (30 s), or a read that waits it out fails.
   */
  public static final ConfigKey<Duration> CLOSE_WAIT = ConfigKey.duration("sluice.master.close.wait", "5s",
      "How long a read of a file waits for its completion after its writer said it is closing it; 0 never waits.");

  /**
   * How long the first outcome of a create, mkdir, delete or rename answers retries of the same call (DESIGN §3).
   * A client retries for its retry budget ({@code sluice.user.master.retry.budget}); this must be longer.
   */
  public static final ConfigKey<Duration> RETRY_EXPIRY = ConfigKey.duration("sluice.master.retry.expiry", "10m",
      "How long a mutation's first outcome answers its retries; longer than any client's retry budget.");

  /**
   * Comma-separated {@code host:port} Raft addresses of all masters, in the same order as
   * {@code sluice.master.addresses} (the i-th Raft address belongs to the i-th RPC address). Empty: this master
   * alone, on {@code sluice.master.raft.port}.
   */
  public static final ConfigKey<String> RAFT_ADDRESSES = ConfigKey.string("sluice.master.raft.addresses", "",
      "Raft host:port of every master, in the order of sluice.master.addresses; empty for a single master.");

  /** Journal entries between snapshots (RocksDB checkpoints); the Raft log is purged behind each snapshot. */
  public static final ConfigKey<Integer> SNAPSHOT_ENTRIES = ConfigKey.integer("sluice.master.snapshot.entries", 100000,
      "Journal entries between snapshots; the log is purged behind each.");

  /** Size of one Raft log segment file; the log is purged whole closed segments at a time. */
  public static final ConfigKey<Long> JOURNAL_SEGMENT_SIZE = ConfigKey.bytes("sluice.master.journal.segment.size",
      "8m", "Size of one Raft log segment; purging removes whole closed segments.");

  /**
   * Whether a journal entry is synced to the log's disk ({@code fdatasync}) before it is acknowledged. True: an
   * acknowledged operation survives anything but the loss of the disks of a majority. False: it is acknowledged once
   * a majority has written it to the operating system, and each master syncs it right after without waiting (Ratis's
   * unsafe flush). An acknowledged operation then survives any master process being killed, but not a machine
   * crash (power loss, kernel crash) that catches it unsynced where its copies were needed: on a sole master, or on
   * one of a group's majority when the other holders are lost before it spreads. A failed background sync is not
   * reported either. A master whose journal lost entries its store had applied refuses to start, saying so. On the
   * development VM this took a journaled call from 677 to 469 us (bench/journal.sh, bench/RESULTS.md).
   */
  public static final ConfigKey<Boolean> JOURNAL_SYNC = ConfigKey.bool("sluice.master.journal.sync", true,
      "Sync each journal entry to disk before acknowledging it; false acknowledges once a majority's OS has it "
          + "(survives killed processes, not a machine crash before the sync).");

  /**
   * Lower bound of the Raft election timeout (the upper bound is twice it): a follower that hears nothing from the
   * leader for this long starts an election. Lower fails over faster; too low makes a busy or paused (GC) leader
   * lose its term for nothing.
   */
  public static final ConfigKey<Duration> ELECTION_TIMEOUT = ConfigKey.duration("sluice.master.election.timeout",
      "1s", "Raft election timeout lower bound (upper bound: twice it); how long before a silent leader is replaced.");

  /**
   * How long metadata under a mount is trusted before the leader checks it against the UFS again (DESIGN §4), for
   * mounts that set no interval of their own ({@code sluice mount --sync-interval}). Files changed in the UFS show
   * their new content, and deleted ones disappear, at most this long after the change.
   */
  public static final ConfigKey<Duration> MOUNT_SYNC_INTERVAL = ConfigKey.duration("sluice.master.mount.sync.interval",
      "30s", "Default sync interval of a mount: metadata older than this is checked against the UFS again.");

  /**
   * How often the leader looks for paths whose TTL ran out ({@code sluice ttl}); a TTL acts at most this late.
   */
  public static final ConfigKey<Duration> TTL_CHECK_INTERVAL = ConfigKey.duration("sluice.master.ttl.check.interval",
      "1m", "How often the leader looks for paths whose TTL ran out (a TTL acts at most this late).");

  /**
   * How often the leader runs a drain round for decommissioning workers ({@code sluice admin decommission}): checks
   * which of their blocks another worker holds now and hands out the next copy tasks. A worker turns DECOMMISSIONED
   * at most this long after its last block was copied.
   */
  public static final ConfigKey<Duration> DECOMMISSION_INTERVAL = ConfigKey.duration(
      "sluice.master.decommission.interval", "1s",
      "How often the leader checks decommissioning workers' blocks and hands out the next copy tasks.");

  /**
   * Block copies in flight at once from one decommissioning worker (each read from it by another worker). Higher
   * drains faster and loads the worker's disk and network more; at least 1.
   */
  public static final ConfigKey<Integer> DECOMMISSION_COPIES_PER_WORKER = ConfigKey.integer(
      "sluice.master.decommission.copies.per.worker", 16,
      "Block copies in flight at once from one decommissioning worker; at least 1.");

  /**
   * How long a block copy may take before the leader gives the block to another worker (the first copy, should it
   * still land, is one more replica). Longer than a block's transfer on the slowest link.
   */
  public static final ConfigKey<Duration> DECOMMISSION_COPY_TIMEOUT = ConfigKey.duration(
      "sluice.master.decommission.copy.timeout", "2m",
      "How long a decommission's block copy may take before the block is copied to another worker instead.");
}
