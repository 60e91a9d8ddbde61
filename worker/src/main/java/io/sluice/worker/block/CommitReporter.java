package io.sluice.worker.block;

import java.util.concurrent.CompletableFuture;

/**
 * Tells the master about a committed block before the writer hears it is done, so a client that closes a file and
 * reads it at once finds the block's location (HDFS does the same with its immediate block-received report).
 */
public interface CommitReporter {
  /** Completes when a report carrying {@code blockId} reached the master, or the attempt failed (best effort). */
  CompletableFuture<Void> reportCommitted(long blockId);
}
