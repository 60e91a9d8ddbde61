package io.sluice.ufs.s3;

import io.sluice.ufs.UfsException;
import io.sluice.ufs.UfsException.Kind;
import io.sluice.ufs.UfsPath;
import java.net.URI;
import java.util.Optional;

/**
 * Where a {@link UfsPath} lives in the bucket: the object key of a file is {@code prefix + path}, a directory is
 * the key prefix {@code prefix + path + "/"}, and an explicitly made directory also has an empty marker object at that
 * key (the convention of the S3 console, Hadoop's S3A and others). Keys under the prefix that do not form valid
 * {@link UfsPath}s (e.g. {@code a//b}, {@code ../x}) are invisible to Sluice.
 *
 * @param bucket the bucket name
 * @param prefix empty or ending in {@code /}
 */
record S3Layout(String bucket, String prefix) {
  /** The layout of {@code s3://bucket[/prefix]}; the prefix is checked like a UFS path. */
  static S3Layout of(URI root) throws UfsException {
    String bucket = root.getAuthority();
    if (bucket == null || bucket.isEmpty() || bucket.contains("@") || root.getQuery() != null
        || root.getFragment() != null) {
      throw new UfsException(Kind.INVALID_ARGUMENT, root.toString(), "expected s3://bucket/optional/prefix");
    }
    String path = root.getPath() == null ? "" : root.getPath();
    while (path.startsWith("/")) {
      path = path.substring(1);
    }
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    UfsPath prefix = UfsPath.parse(path);
    return new S3Layout(bucket, prefix.isRoot() ? "" : prefix + "/");
  }

  /** The object key of file {@code path}; the root has none. */
  String fileKey(UfsPath path) {
    return prefix + path;
  }

  /** The key prefix of everything under directory {@code path}, which is also its marker object's key. */
  String dirPrefix(UfsPath path) {
    return path.isRoot() ? prefix : prefix + path + "/";
  }

  /**
   * The child of {@code dir} named by a listed key or common prefix under {@code dirPrefix(dir)}; empty for the
   * directory's own marker and for names that are not valid path segments.
   */
  Optional<UfsPath> child(UfsPath dir, String keyOrPrefix) {
    String name = keyOrPrefix.substring(dirPrefix(dir).length());
    if (name.endsWith("/")) {
      name = name.substring(0, name.length() - 1);
    }
    if (name.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(dir.child(name));
    } catch (UfsException e) {
      return Optional.empty();
    }
  }
}
