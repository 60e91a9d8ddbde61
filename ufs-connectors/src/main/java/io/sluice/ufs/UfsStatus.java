package io.sluice.ufs;

import java.util.Objects;

/**
 * What the UFS says about one path.
 *
 * @param path the path, relative to the mounted root
 * @param isDirectory whether it is a directory (for object stores: a key prefix or a directory marker)
 * @param length length in bytes; 0 for a directory
 * @param mtimeMs last modification time, epoch millis; 0 when the store does not know (S3 prefixes)
 * @param fingerprint changes whenever the content changes: the ETag where the store has one (see
 *     {@link UfsCapability#ETAG}), else length and mtime; empty for a directory. Sluice drops cached blocks of a
 *     file whose fingerprint changed (DESIGN 4).
 */
public record UfsStatus(UfsPath path, boolean isDirectory, long length, long mtimeMs, String fingerprint) {
  public UfsStatus {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(fingerprint, "fingerprint");
  }

  public static UfsStatus file(UfsPath path, long length, long mtimeMs, String fingerprint) {
    return new UfsStatus(path, false, length, mtimeMs, fingerprint);
  }

  /** A file whose store has no content tag: its fingerprint is its length and mtime. */
  public static UfsStatus file(UfsPath path, long length, long mtimeMs) {
    return new UfsStatus(path, false, length, mtimeMs, length + "@" + mtimeMs);
  }

  public static UfsStatus directory(UfsPath path, long mtimeMs) {
    return new UfsStatus(path, true, 0, mtimeMs, "");
  }

  /** The last segment of the path; empty for the root. */
  public String name() {
    return path.name();
  }
}
