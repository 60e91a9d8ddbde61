package io.sluice.ufs.hdfs;

import io.sluice.ufs.UfsException;
import io.sluice.ufs.UfsException.Kind;
import io.sluice.ufs.UnderFileSystem;
import io.sluice.ufs.UnderFileSystemFactory;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Mounts {@code hdfs://namenode[:port]/path} (an HA nameservice works as the authority when its keys are given).
 * Options:
 * <ul>
 *   <li>{@value #SITE_FILES}: comma-separated paths of Hadoop site files ({@code core-site.xml},
 *       {@code hdfs-site.xml}) loaded into the client configuration.</li>
 *   <li>{@value #CONF_PREFIX}{@code <hadoop key>}: one Hadoop configuration key, e.g.
 *       {@code hdfs.conf.dfs.replication=2}; applied after the site files.</li>
 * </ul>
 * The client acts as the OS user running Sluice (Hadoop's simple authentication), or as {@code HADOOP_USER_NAME}.
 */
public final class HdfsUfsFactory implements UnderFileSystemFactory {
  public static final String SITE_FILES = "hdfs.site-files";
  public static final String CONF_PREFIX = "hdfs.conf.";

  @Override
  public boolean supports(URI root) {
    return "hdfs".equalsIgnoreCase(root.getScheme());
  }

  @Override
  public UnderFileSystem create(URI root, Map<String, String> options) throws IOException {
    if (root.getAuthority() == null || root.getQuery() != null || root.getFragment() != null) {
      throw new UfsException(Kind.INVALID_ARGUMENT, root.toString(), "expected hdfs://namenode[:port]/path");
    }
    return new HdfsUnderFileSystem(root, configuration(options));
  }

  /** The Hadoop configuration for these mount options. */
  static Configuration configuration(Map<String, String> options) {
    Configuration conf = new Configuration();
    String files = options.getOrDefault(SITE_FILES, "").trim();
    if (!files.isEmpty()) {
      for (String f : files.split(",")) {
        conf.addResource(new Path(f.trim()));
      }
    }
    options.forEach((k, v) -> {
      if (k.startsWith(CONF_PREFIX) && k.length() > CONF_PREFIX.length()) {
        conf.set(k.substring(CONF_PREFIX.length()), v);
      }
    });
    return conf;
  }
}
