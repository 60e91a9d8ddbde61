package io.sluice.client;

import io.sluice.common.checksum.ChunkChecksums;
import io.sluice.common.conf.ConfigKey;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.rpc.RpcOptions;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@link ClientKeys} values of one client, read and validated once at connect so that a bad value fails
 * there, naming the key, instead of in the middle of a write.
 */
record ClientSettings(long blockSize, int replicas, int writeChunkSize, long writePoolSize, int readChunkSize,
    int readWindow, Duration masterRetryBudget, int listPageSize, boolean shortCircuit, Path editDir,
    Duration editStreamMaxAge, Duration firstBlockMaxAge) {

  /** Room left in an RPC frame for the header and body around a data chunk. */
  private static final int FRAME_OVERHEAD = 64 * 1024;
  private static final int MIN_CHUNK = 4 * 1024;
  private static final long MIN_BLOCK = 64 * 1024;

  /** @throws IllegalArgumentException naming the key whose value is out of range */
  static ClientSettings from(SluiceConf conf, RpcOptions rpc) {
    long maxChunk = (long) rpc.maxFrameBytes() - FRAME_OVERHEAD;
    long blockSize = check(conf, ClientKeys.BLOCK_SIZE, MIN_BLOCK, Long.MAX_VALUE);
    int replicas = (int) check(conf, ClientKeys.REPLICAS, 1, 16);
    int writeChunk = (int) check(conf, ClientKeys.WRITE_CHUNK_SIZE, ChunkChecksums.CHUNK, maxChunk);
    if (writeChunk % ChunkChecksums.CHUNK != 0) {
      throw new IllegalArgumentException(ClientKeys.WRITE_CHUNK_SIZE.name() + " = " + writeChunk + " (from "
          + conf.source(ClientKeys.WRITE_CHUNK_SIZE) + ") is not a multiple of " + ChunkChecksums.CHUNK
          + ": frames hold whole checksum chunks");
    }
    long writePool = check(conf, ClientKeys.WRITE_POOL_SIZE, 0, Long.MAX_VALUE);
    int readChunk = (int) check(conf, ClientKeys.READ_CHUNK_SIZE, MIN_CHUNK, maxChunk);
    int window = (int) check(conf, ClientKeys.READ_WINDOW, 1, 1024);
    int pageSize = (int) check(conf, ClientKeys.LIST_PAGE_SIZE, 0, 1_000_000);
    return new ClientSettings(blockSize, replicas, writeChunk, writePool, readChunk, window,
        conf.get(ClientKeys.MASTER_RETRY_BUDGET), pageSize, conf.get(ClientKeys.SHORT_CIRCUIT_ENABLED),
        editDir(conf), conf.get(ClientKeys.EDIT_STREAM_MAX_AGE), conf.get(ClientKeys.FIRST_BLOCK_MAX_AGE));
  }

  /** The directory named, else the JVM's temporary directory; whether it exists is checked when first used. */
  private static Path editDir(SluiceConf conf) {
    String dir = conf.get(ClientKeys.EDIT_DIR).trim();
    try {
      return Path.of(dir.isEmpty() ? System.getProperty("java.io.tmpdir") : dir);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(ClientKeys.EDIT_DIR.name() + " = " + dir + " (from "
          + conf.source(ClientKeys.EDIT_DIR) + ") is not a valid path: " + e.getMessage(), e);
    }
  }

  private static long check(SluiceConf conf, ConfigKey<? extends Number> key, long min, long max) {
    long v = conf.get(key).longValue();
    if (v < min || v > max) {
      throw new IllegalArgumentException(key.name() + " = " + v + " (from " + conf.source(key)
          + ") is outside " + min + ".." + max);
    }
    return v;
  }
}
