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
   * Cache tiers as {@code ALIAS:/dir:capacity[,...]} (DESIGN §7), e.g. {@code HDD:/var/lib/sluice/worker:100g}.
   * One tier for now; MEM/SSD/HDD tiers with eviction come with the worker issue.
   */
  public static final ConfigKey<String> TIERS = ConfigKey.string("sluice.worker.tiers",
      "HDD:sluice-data/worker:10g", "Cache tiers as ALIAS:/dir:capacity; one tier for now.");

  /** How often the worker reports to the master. */
  public static final ConfigKey<Duration> HEARTBEAT_INTERVAL = ConfigKey.duration(
      "sluice.worker.heartbeat.interval", "1s", "How often the worker reports capacity and block changes.");

  /** Largest data frame the worker sends for a block read. */
  public static final ConfigKey<Long> READ_CHUNK_SIZE = ConfigKey.bytes("sluice.worker.read.chunk.size", "1m",
      "Largest data frame sent for a block read.");

  /** Whether a committed block is fsynced before it becomes visible (slower; survives power loss). */
  public static final ConfigKey<Boolean> WRITE_SYNC = ConfigKey.bool("sluice.worker.write.sync", false,
      "fsync each block before committing it.");
}
