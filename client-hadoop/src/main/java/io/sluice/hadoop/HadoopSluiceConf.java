package io.sluice.hadoop;

import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * The {@link SluiceConf} a {@link SluiceFileSystem} connects with, built from the Hadoop {@link Configuration} and
 * the file system's URI (DESIGN §7: one key name means one thing everywhere).
 *
 * <p>Only the built-in defaults and the Hadoop configuration count: a Hadoop job's configuration (core-site.xml,
 * {@code -D}, Spark's {@code spark.hadoop.*}) is the one place its settings come from, so
 * {@code conf/sluice.properties} and {@code SLUICE_*} variables of whatever host an executor lands on do not leak in.
 */
final class HadoopSluiceConf {
  static final String PREFIX = "sluice.";
  static final int DEFAULT_PORT = 7070;

  private HadoopSluiceConf() {}

  /**
   * Every {@code sluice.*} entry of {@code hadoop}, then the masters named by {@code uri}'s authority and the user.
   *
   * @param uri {@code sluice://host[:port]/} names a master; when that master is one of {@code
   *     sluice.master.addresses}, the whole list is kept so the client can fail over. {@code sluice:///} and
   *     {@code sluice://NAME/}, NAME being {@link HadoopKeys#CLUSTER_NAME}, use the list as configured.
   * @param user the user to present when {@code sluice.user.name} is not set
   */
  static SluiceConf from(URI uri, Configuration hadoop, String user) {
    SluiceConf conf = SluiceConf.defaults();
    for (Map.Entry<String, String> e : hadoop.getPropsWithPrefix(PREFIX).entrySet()) {
      conf = conf.with(PREFIX + e.getKey(), e.getValue());
    }
    if (namesTheCluster(uri, conf.get(HadoopKeys.CLUSTER_NAME))) {
      return withUser(conf, user);
    }
    String authority = masterAddress(uri);
    if (authority != null && !listed(authority, conf.get(CommonKeys.MASTER_ADDRESSES))) {
      conf = conf.with(CommonKeys.MASTER_ADDRESSES, authority);
    }
    return withUser(conf, user);
  }

  private static SluiceConf withUser(SluiceConf conf, String user) {
    return conf.get(CommonKeys.USER_NAME).isEmpty() ? conf.with(CommonKeys.USER_NAME, user) : conf;
  }

  /** Whether the URI's authority is the configured logical cluster name (no port). */
  private static boolean namesTheCluster(URI uri, String cluster) {
    return !cluster.isEmpty() && uri.getHost() != null && uri.getPort() < 0 && uri.getHost().equalsIgnoreCase(cluster);
  }

  /** {@code host:port} of the URI's authority (the default port when it names none), or null when it has none. */
  static String masterAddress(URI uri) {
    if (uri.getHost() == null) {
      if (uri.getAuthority() != null) {
        throw new IllegalArgumentException(uri + ": the authority must be host[:port] of a master");
      }
      return null;
    }
    return uri.getHost() + ":" + (uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort());
  }

  private static boolean listed(String address, String addresses) {
    return Arrays.stream(addresses.split(",")).map(String::trim).anyMatch(address::equalsIgnoreCase);
  }
}
