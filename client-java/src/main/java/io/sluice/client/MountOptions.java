package io.sluice.client;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link SluiceClient#mount} mounts a UFS. Immutable; the {@code with*} methods return copies. By default: no
 * connector options, writable, the master's sync interval ({@code sluice.master.mount.sync.interval}), 1 replica.
 */
public final class MountOptions {
  /**
   * The sync interval that means "never check the UFS again once listed": the infinite duration, so that
   * "older than the interval" is never true.
   */
  public static final Duration NEVER = ChronoUnit.FOREVER.getDuration();

  private static final MountOptions DEFAULTS = new MountOptions(Map.of(), false, null, 0);

  private final Map<String, String> options;
  private final boolean readOnly;
  /** Null: the master's default. */
  private final Duration syncInterval;
  private final int replicas;

  private MountOptions(Map<String, String> options, boolean readOnly, Duration syncInterval, int replicas) {
    this.options = options;
    this.readOnly = readOnly;
    this.syncInterval = syncInterval;
    this.replicas = replicas;
  }

  public static MountOptions defaults() {
    return DEFAULTS;
  }

  /** Connector options (endpoint, region, credentials, ...), replacing any set before. */
  public MountOptions withOptions(Map<String, String> o) {
    return new MountOptions(Map.copyOf(o), readOnly, syncInterval, replicas);
  }

  /** Refuse writes under the mount point. */
  public MountOptions withReadOnly(boolean r) {
    return new MountOptions(options, r, syncInterval, replicas);
  }

  /**
   * How long listed metadata is trusted before it is checked against the UFS again: {@link Duration#ZERO} checks on
   * every access, {@link #NEVER} never once loaded.
   */
  public MountOptions withSyncInterval(Duration every) {
    Objects.requireNonNull(every, "sync interval");
    if (!every.equals(NEVER)) {
      SyncIntervals.toMillis(every); // validates now rather than at mount time
    }
    return new MountOptions(options, readOnly, every, replicas);
  }

  /** Cached copies of each block a load job makes; 0 means 1. */
  public MountOptions withReplicas(int r) {
    if (r < 0) {
      throw new IllegalArgumentException("negative replicas " + r);
    }
    return new MountOptions(options, readOnly, syncInterval, r);
  }

  public Map<String, String> options() {
    return options;
  }

  public boolean readOnly() {
    return readOnly;
  }

  /** The sync interval asked for ({@link #NEVER} included); empty for the master's default. */
  public Optional<Duration> syncInterval() {
    return Optional.ofNullable(syncInterval);
  }

  public int replicas() {
    return replicas;
  }

  /** The interval as MountRequest.sync_interval_ms encodes it (-1 never, 0 every access); empty: the default. */
  java.util.OptionalLong syncIntervalMs() {
    return syncInterval == null ? java.util.OptionalLong.empty()
        : java.util.OptionalLong.of(SyncIntervals.toMillis(syncInterval));
  }
}
