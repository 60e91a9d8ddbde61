package io.sluice.client;

import io.sluice.common.proto.MountInfo;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * A UFS mounted into the namespace, as the master reports it (DESIGN §4).
 *
 * @param id the master's id for the mount; a mount made again after an unmount gets a new one
 * @param path the mount point in the namespace
 * @param ufsUri the mounted UFS root, e.g. {@code s3://bucket/prefix}
 * @param options connector options; values may be credentials, so {@link #toString()} shows only the keys
 * @param readOnly whether writes under the mount point are refused
 * @param syncInterval how long listed metadata is trusted; {@link MountOptions#NEVER} for never
 * @param replicas cached copies of each block a load job makes
 */
public record Mount(long id, String path, URI ufsUri, Map<String, String> options, boolean readOnly,
    Duration syncInterval, int replicas) {

  public Mount {
    options = Map.copyOf(options);
  }

  /**
   * The mount a MountInfo describes.
   *
   * @throws IllegalArgumentException when the master sent a UFS URI that does not parse
   */
  public static Mount of(MountInfo m) {
    return new Mount(m.getMountId(), m.getPath(), URI.create(m.getUfsUri()), m.getOptionsMap(), m.getReadOnly(),
        SyncIntervals.fromMillis(m.getSyncIntervalMs()), m.getReplicas());
  }

  /** Whether metadata under this mount is never checked against the UFS again. */
  public boolean neverSyncs() {
    return syncInterval.equals(MountOptions.NEVER);
  }

  @Override
  public String toString() {
    // Option values stay out of logs and exception messages: they often hold secrets.
    return "Mount[" + id + " " + path + " -> " + ufsUri + (readOnly ? " read-only" : "") + ", sync "
        + (neverSyncs() ? "never" : syncInterval) + ", replicas " + replicas + ", option keys "
        + new TreeMap<>(options).keySet() + "]";
  }
}
