package io.sluice.worker.block;

import java.nio.file.Path;

/** A committed block: where it lives and how many readers hold it. Mutable state is guarded by the store's lock. */
final class StoredBlock {
  final long id;
  final StorageDir dir;
  final Path path;
  final long length;
  int leases;
  /**
   * A lease ended while its holder may still have the file open (a short-circuit client whose connection died):
   * the file is unlinked when the block goes, never reused, or that reader would read another block's bytes.
   */
  boolean detachedReader;
  /** The CRC32C of each chunk; null until loaded from the block's sums file (blocks found at start). */
  int[] sums;
  /** Reads in transfer mode mapped so far, for {@link BlockMappings}; negative once mapping it failed. */
  int reads;
  /** Its kept mapping ({@link BlockMappings}), or null. */
  MappedBlock mapping;

  StoredBlock(long id, StorageDir dir, Path path, long length, int[] sums) {
    this.id = id;
    this.dir = dir;
    this.path = path;
    this.length = length;
    this.sums = sums;
  }
}
