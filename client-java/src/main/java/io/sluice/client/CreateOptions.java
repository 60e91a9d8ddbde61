package io.sluice.client;

/**
 * How {@link SluiceClient#create} makes a file. Immutable; the {@code with*} methods return copies. Zero for mode,
 * block size or replicas means the default (0644, {@link ClientKeys#BLOCK_SIZE}, {@link ClientKeys#REPLICAS}).
 */
public final class CreateOptions {
  private static final CreateOptions DEFAULTS = new CreateOptions(0, 0, 0, false, false);

  private final int mode;
  private final long blockSize;
  private final int replicas;
  private final boolean overwrite;
  private final boolean recursive;

  private CreateOptions(int mode, long blockSize, int replicas, boolean overwrite, boolean recursive) {
    this.mode = mode;
    this.blockSize = blockSize;
    this.replicas = replicas;
    this.overwrite = overwrite;
    this.recursive = recursive;
  }

  /** Defaults: no overwrite, parents must exist. */
  public static CreateOptions defaults() {
    return DEFAULTS;
  }

  /** Permission bits (07777); 0 means 0644. */
  public CreateOptions withMode(int m) {
    if ((m & ~07777) != 0) {
      throw new IllegalArgumentException("mode " + Integer.toOctalString(m) + " has bits outside 07777");
    }
    return new CreateOptions(m, blockSize, replicas, overwrite, recursive);
  }

  /** Block size in bytes; 0 means the client's configured default. */
  public CreateOptions withBlockSize(long b) {
    if (b < 0) {
      throw new IllegalArgumentException("negative block size " + b);
    }
    return new CreateOptions(mode, b, replicas, overwrite, recursive);
  }

  /** Workers per block; 0 means the client's configured default. */
  public CreateOptions withReplicas(int r) {
    if (r < 0) {
      throw new IllegalArgumentException("negative replicas " + r);
    }
    return new CreateOptions(mode, blockSize, r, overwrite, recursive);
  }

  /** Replace an existing file (never a directory) instead of failing with ALREADY_EXISTS. */
  public CreateOptions withOverwrite(boolean o) {
    return new CreateOptions(mode, blockSize, replicas, o, recursive);
  }

  /** Create missing parent directories instead of failing with NOT_FOUND. */
  public CreateOptions withRecursive(boolean r) {
    return new CreateOptions(mode, blockSize, replicas, overwrite, r);
  }

  public int mode() {
    return mode;
  }

  public long blockSize() {
    return blockSize;
  }

  public int replicas() {
    return replicas;
  }

  public boolean overwrite() {
    return overwrite;
  }

  public boolean recursive() {
    return recursive;
  }
}
