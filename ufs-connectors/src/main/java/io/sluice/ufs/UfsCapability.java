package io.sluice.ufs;

/**
 * What a connector's store can do beyond the core contract of {@link UnderFileSystem}. Callers branch on these
 * instead of on the connector's type.
 */
public enum UfsCapability {
  /** Renaming a file or a whole directory is one atomic store operation; without it a directory cannot be renamed. */
  ATOMIC_RENAME,
  /**
   * Directories are real objects: an empty directory persists, a file cannot sit where a directory is and
   * vice versa, and creating a file requires its ancestors to be directories. Without it (object stores)
   * directories are key prefixes, implied by what lies under them or by a marker object.
   */
  DIRECTORIES,
  /** {@link UfsStatus#fingerprint()} of a file is the store's content tag (ETag), not derived from length and mtime. */
  ETAG
}
