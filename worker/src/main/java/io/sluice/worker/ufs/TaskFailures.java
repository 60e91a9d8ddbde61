package io.sluice.worker.ufs;

import io.sluice.common.proto.BlockLoadFailure;
import io.sluice.common.proto.Status;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The failed block tasks (UFS loads, copies from other workers) a worker still owes the master: kept until a
 * heartbeat delivers them, one per block (the newest outcome wins; success clears it). Thread-safe.
 */
public final class TaskFailures {
  private final Map<Long, BlockLoadFailure> failed = new LinkedHashMap<>();

  /** Records that the task for {@code blockId} failed. */
  public synchronized void fail(long blockId, Status status, String message) {
    failed.put(blockId, BlockLoadFailure.newBuilder().setBlockId(blockId).setStatus(status)
        .setMessage(message == null ? "" : message).build());
  }

  /** A failure of the block not sent yet is moot once the block is held. */
  public synchronized void succeeded(long blockId) {
    failed.remove(blockId);
  }

  /** Takes the failures to send in a heartbeat. */
  public synchronized List<BlockLoadFailure> take() {
    if (failed.isEmpty()) {
      return List.of();
    }
    List<BlockLoadFailure> out = new ArrayList<>(failed.values());
    failed.clear();
    return out;
  }

  /** Puts back failures a heartbeat did not deliver, under any newer outcome for the same block. */
  public synchronized void restore(List<BlockLoadFailure> undelivered) {
    for (BlockLoadFailure f : undelivered) {
      failed.putIfAbsent(f.getBlockId(), f);
    }
  }
}
