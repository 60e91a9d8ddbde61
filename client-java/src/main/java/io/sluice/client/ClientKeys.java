package io.sluice.client;

import io.sluice.common.conf.ConfigKey;
import java.time.Duration;

/**
 * Configuration keys of the Java client ({@code sluice.user.*}), each with its default. The values are read and
 * validated once, when a {@link SluiceClient} connects (see {@link ClientSettings}). The master addresses, RPC
 * timeouts and the user name are common keys ({@code io.sluice.common.conf.CommonKeys}).
 */
public final class ClientKeys {
  private ClientKeys() {}

  /** Block size of files this client creates when {@link CreateOptions} does not say; at least 64 KiB. */
  public static final ConfigKey<Long> BLOCK_SIZE = ConfigKey.bytes("sluice.user.block.size", "64m",
      "Block size of new files created by this client (at least 64k).");

  /** Number of workers each block of a new file is written to (the write pipeline's length). */
  public static final ConfigKey<Integer> REPLICAS = ConfigKey.integer("sluice.user.replicas", 1,
      "Number of workers each block of a new file is written to (1..16).");

  /**
   * Bytes per STREAM_DATA frame written; each frame carries the CRC32C of each of its checksum chunks
   * ({@link io.sluice.common.checksum.ChunkChecksums#CHUNK}), so it holds whole chunks. Must fit in an RPC frame.
   */
  public static final ConfigKey<Long> WRITE_CHUNK_SIZE = ConfigKey.bytes("sluice.user.write.chunk.size", "1m",
      "Bytes per data frame when writing a block: a multiple of 16k, at most the RPC frame limit less 64k.");

  /**
   * Memory kept for write chunks: direct buffers of {@link #WRITE_CHUNK_SIZE}, created when first needed and reused
   * by every file the client writes until it closes, so steady writing touches no new memory. A stream writing
   * keeps about three chunks in flight; chunks beyond the pool come from Netty's allocator. Less than one chunk
   * turns the pool off.
   */
  public static final ConfigKey<Long> WRITE_POOL_SIZE = ConfigKey.bytes("sluice.user.write.pool.size", "16m",
      "Memory kept for write chunks and reused across files until the client closes (0: none).");

  /**
   * Bytes per STREAM_DATA frame the client asks a worker for when reading; the worker sends whole checksum chunks
   * ({@link io.sluice.common.checksum.ChunkChecksums#CHUNK}), so it rounds this up. Must fit in an RPC frame.
   */
  public static final ConfigKey<Long> READ_CHUNK_SIZE = ConfigKey.bytes("sluice.user.read.chunk.size", "1m",
      "Bytes per data frame when reading a block (4k..the RPC frame limit less 64k; rounded up to 16k multiples).");

  /**
   * Read-ahead of a sequential read stream, in frames: the credits a worker may use before the reader consumed
   * anything. Memory held per open stream is at most {@code window * read.chunk.size}.
   */
  public static final ConfigKey<Integer> READ_WINDOW = ConfigKey.integer("sluice.user.read.window", 8,
      "Frames a worker may send ahead of the reader per read stream (1..1024); bounds read-ahead memory.");

  /** How long one metadata call keeps retrying through master failovers before it fails with UNAVAILABLE. */
  public static final ConfigKey<Duration> MASTER_RETRY_BUDGET = ConfigKey.duration(
      "sluice.user.master.retry.budget", "30s", "How long a metadata call retries through master failovers.");

  /** Entries asked for per LIST_STATUS page; 0 lets the master choose. */
  public static final ConfigKey<Integer> LIST_PAGE_SIZE = ConfigKey.integer("sluice.user.list.page.size", 1000,
      "Entries per directory listing page (0 = the master's default).");

  /**
   * Where a {@link FileEditor} keeps the new content of the blocks it changed until it commits them, one temporary
   * file per block (up to a block size each), deleted when the editor commits or closes. Empty: the JVM's temporary
   * directory ({@code java.io.tmpdir}).
   */
  public static final ConfigKey<String> EDIT_DIR = ConfigKey.string("sluice.user.edit.dir", "",
      "Directory for the changed blocks of files being edited, until committed (empty: the JVM's temp dir).");

  /**
   * How long a {@link FileEditor} may hold a block it streams to a new version (a block rewritten from its start,
   * in order) before the change is committed; an older one moves to a temporary file in {@link #EDIT_DIR} at the
   * editor's next call. The master drops versions still uncommitted after {@code
   * sluice.master.block.version.pending.expiry} (1h), so keep this well below that. 0 turns streaming off.
   */
  public static final ConfigKey<Duration> EDIT_STREAM_MAX_AGE = ConfigKey.duration("sluice.user.edit.stream.max.age",
      "10m", "How long an in-place rewrite may stream a block to its new version before committing it (0: never "
      + "stream, stage every changed block in a temporary file); keep well below the master's pending version "
      + "expiry.");

  /**
   * A create asks the master to place the new file's first block with it, which saves the writer an ADD_BLOCK
   * call (one journaled call fewer per small file). The placement is used for a first write that comes within
   * this long of the create; a later one (a FUSE file opened and written minutes later) asks ADD_BLOCK, as the
   * workers placed then may since have gone, filled up or been decommissioned. 0: the create places nothing.
   */
  public static final ConfigKey<Duration> FIRST_BLOCK_MAX_AGE = ConfigKey.duration(
      "sluice.user.write.first.block.max.age", "5s", "How long the first-block placement a create returns is used "
      + "for the file's first write; later, the writer asks the master anew (0: creates place no block).");

  /**
   * Short-circuit reads (DESIGN 5): read a block cached by a worker on this host from its file, under a lease the
   * worker grants, instead of over the block RPC. Whenever the worker grants no lease (not cached there, disabled
   * there) or the file cannot be opened or read (permissions, a different file system view), the block is read over
   * the RPC instead, without an error.
   */
  public static final ConfigKey<Boolean> SHORT_CIRCUIT_ENABLED = ConfigKey.bool("sluice.user.short.circuit.enabled",
      true, "Read blocks cached by a worker on this host directly from its block files (short-circuit reads).");

  /**
   * Short-circuit reads skip the CRC32C check of each chunk (as HDFS's dfs.client.read.shortcircuit.skip.checksum).
   * About 1.5x faster from page cache on the development VM (bench/RESULTS.md: the check is a third of a checked
   * read's time), but a block file corrupted on this host is then read as it is, not detected. Remote reads are
   * always checked.
   */
  public static final ConfigKey<Boolean> SHORT_CIRCUIT_SKIP_CHECKSUM = ConfigKey.bool(
      "sluice.user.short.circuit.skip.checksum", false, "Short-circuit reads do not verify chunk checksums: faster,"
          + " but corruption of a block file on this host goes undetected. Remote reads are always verified.");

  /**
   * How long a worker that could not be reached, or stopped answering a read, is tried last by readers of the blocks
   * it holds, so each read does not wait out the same connect or read timeout again. 0 turns this off.
   */
  public static final ConfigKey<Duration> WORKER_AVOID_TIME = ConfigKey.duration("sluice.user.worker.avoid.time",
      "10s", "How long readers try a worker last after it could not be reached or timed out (0: never).");
}
