package io.sluice.hadoop;

import io.sluice.common.conf.ConfigKey;

/**
 * Configuration keys of the {@code sluice://} file system itself, read from the job's Hadoop {@code Configuration}
 * like every {@code sluice.*} key of this module (the masters: {@code sluice.master.addresses}; the client
 * settings: {@code io.sluice.client.ClientKeys}; the caching shim: {@link ShimKeys}).
 */
public final class HadoopKeys {
  private HadoopKeys() {}

  /**
   * A logical name for the cluster, as HDFS's nameservices: {@code sluice://NAME/path} then means the masters of
   * {@code sluice.master.addresses} (all of them, for failover), so paths stay the same when masters move. Any
   * other authority names one master, {@code host[:port]}.
   */
  public static final ConfigKey<String> CLUSTER_NAME = ConfigKey.string("sluice.hadoop.cluster.name", "",
      "Logical cluster name for sluice://NAME/ URIs, meaning the masters of sluice.master.addresses; empty: none.");
}
