package io.sluice.hadoop;

import io.sluice.common.conf.ConfigKey;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * Configuration keys of {@link CachingShimFileSystem}, the transparent mode of the Hadoop client. They are read
 * from the Hadoop {@link Configuration} of the job (core-site.xml, {@code -D}, {@code spark.hadoop.*}) like every
 * other {@code sluice.*} key of this module; the masters come from {@code sluice.master.addresses}
 * ({@code io.sluice.common.conf.CommonKeys}) and the client settings from {@code io.sluice.client.ClientKeys}.
 *
 * <p>To cache an existing scheme, set Hadoop's {@code fs.<scheme>.impl} to {@link CachingShimFileSystem} and name
 * the implementation it replaces in {@code sluice.shim.<scheme>.impl}. For {@code s3a}, {@code hdfs} and
 * {@code file} that key has a default (below); any other scheme must set it.
 */
public final class ShimKeys {
  private ShimKeys() {}

  /** The implementation the shim stands in for on {@code s3a://}: Hadoop's S3A connector. */
  public static final ConfigKey<String> S3A_IMPL = ConfigKey.string("sluice.shim.s3a.impl",
      "org.apache.hadoop.fs.s3a.S3AFileSystem", "FileSystem class the caching shim wraps for s3a:// URIs.");

  /** The implementation the shim stands in for on {@code hdfs://}: the HDFS client. */
  public static final ConfigKey<String> HDFS_IMPL = ConfigKey.string("sluice.shim.hdfs.impl",
      "org.apache.hadoop.hdfs.DistributedFileSystem", "FileSystem class the caching shim wraps for hdfs:// URIs.");

  /** The implementation the shim stands in for on {@code file://}: Hadoop's checksummed local file system. */
  public static final ConfigKey<String> FILE_IMPL = ConfigKey.string("sluice.shim.file.impl",
      "org.apache.hadoop.fs.LocalFileSystem", "FileSystem class the caching shim wraps for file:// URIs.");

  private static final Map<String, ConfigKey<String>> BY_SCHEME = Map.of(
      "s3a", S3A_IMPL, "hdfs", HDFS_IMPL, "file", FILE_IMPL);

  /** {@code sluice.shim.<scheme>.impl}: the name of the key naming the wrapped implementation of {@code scheme}. */
  public static String implKey(String scheme) {
    return "sluice.shim." + scheme + ".impl";
  }

  /**
   * The class name of the implementation the shim wraps for {@code scheme}: {@link #implKey} when set, else the
   * default of a known scheme.
   *
   * @throws IllegalArgumentException when neither names one
   */
  static String implFor(String scheme, Configuration conf) {
    String set = conf.getTrimmed(implKey(scheme));
    if (set != null && !set.isEmpty()) {
      return set;
    }
    ConfigKey<String> known = BY_SCHEME.get(scheme);
    if (known == null) {
      throw new IllegalArgumentException(implKey(scheme) + " is not set: the caching shim needs the FileSystem "
          + "class it stands in for on " + scheme + "://");
    }
    return known.defaultText();
  }
}
