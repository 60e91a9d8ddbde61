package io.sluice.ufs.s3;

import io.sluice.common.conf.ByteSize;
import io.sluice.ufs.UfsException;
import io.sluice.ufs.UfsException.Kind;
import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * The mount options of an {@code s3://bucket/prefix} mount. Unknown keys are ignored.
 * <ul>
 *   <li>{@value #ENDPOINT}: the service URL, e.g. {@code http://127.0.0.1:9000} for MinIO or S3Proxy; default AWS.</li>
 *   <li>{@value #REGION}: signing region; default the SDK's region chain (environment, profile), else us-east-1.</li>
 *   <li>{@value #PATH_STYLE}: {@code true} to address buckets as {@code endpoint/bucket} instead of
 *       {@code bucket.endpoint}, which most S3-compatible stores need; default false.</li>
 *   <li>{@value #ACCESS_KEY}, {@value #SECRET_KEY}: static credentials, both or neither; default the SDK's
 *       credential chain (environment, profile, instance role).</li>
 *   <li>{@value #PART_SIZE}: a file larger than this is uploaded in parts of this size (multipart upload), so a
 *       writer buffers at most one part in memory; default 8m, at least 5m (S3's smallest part).</li>
 * </ul>
 */
public record S3Options(Optional<URI> endpoint, Optional<String> region, boolean pathStyle,
    Optional<String> accessKey, Optional<String> secretKey, int partSize) {
  public static final String ENDPOINT = "s3.endpoint";
  public static final String REGION = "s3.region";
  public static final String PATH_STYLE = "s3.path-style";
  public static final String ACCESS_KEY = "s3.access-key";
  public static final String SECRET_KEY = "s3.secret-key";
  public static final String PART_SIZE = "s3.part-size";

  /** S3 rejects smaller parts other than the last. */
  public static final int MIN_PART_SIZE = 5 << 20;
  public static final int DEFAULT_PART_SIZE = 8 << 20;
  /** A part is one byte array. */
  private static final long MAX_PART_SIZE = 1L << 30;

  /** Parses and checks the options; INVALID_ARGUMENT names the bad key. */
  public static S3Options parse(Map<String, String> options) throws UfsException {
    Optional<URI> endpoint;
    try {
      endpoint = nonEmpty(options.get(ENDPOINT)).map(URI::create);
    } catch (IllegalArgumentException e) {
      throw invalid(ENDPOINT, "not a URL: " + e.getMessage());
    }
    if (endpoint.isPresent() && (endpoint.get().getScheme() == null || endpoint.get().getHost() == null)) {
      throw invalid(ENDPOINT, "expected a URL such as https://host:port, got " + endpoint.get());
    }
    String pathStyle = options.getOrDefault(PATH_STYLE, "false").trim();
    if (!pathStyle.equals("true") && !pathStyle.equals("false")) {
      throw invalid(PATH_STYLE, "expected true or false, got " + pathStyle);
    }
    Optional<String> access = nonEmpty(options.get(ACCESS_KEY));
    Optional<String> secret = nonEmpty(options.get(SECRET_KEY));
    if (access.isPresent() != secret.isPresent()) {
      throw invalid(access.isPresent() ? SECRET_KEY : ACCESS_KEY, "access and secret key go together");
    }
    long partSize = DEFAULT_PART_SIZE;
    if (options.containsKey(PART_SIZE)) {
      try {
        partSize = ByteSize.parse(options.get(PART_SIZE));
      } catch (IllegalArgumentException e) {
        throw invalid(PART_SIZE, e.getMessage());
      }
      if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
        throw invalid(PART_SIZE, "must be between 5m and 1g, got " + options.get(PART_SIZE));
      }
    }
    return new S3Options(endpoint, nonEmpty(options.get(REGION)), Boolean.parseBoolean(pathStyle), access, secret,
        (int) partSize);
  }

  private static Optional<String> nonEmpty(String s) {
    return Optional.ofNullable(s).map(String::trim).filter(v -> !v.isEmpty());
  }

  private static UfsException invalid(String key, String why) {
    return new UfsException(Kind.INVALID_ARGUMENT, null, "S3 option " + key + ": " + why);
  }

  @Override
  public String toString() {
    // Never print the secret.
    return "S3Options[endpoint=" + endpoint + ", region=" + region + ", pathStyle=" + pathStyle
        + ", staticCredentials=" + accessKey.isPresent() + ", partSize=" + partSize + "]";
  }
}
