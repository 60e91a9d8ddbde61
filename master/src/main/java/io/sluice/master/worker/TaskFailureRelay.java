package io.sluice.master.worker;

import io.sluice.common.proto.BlockLoadFailure;
import io.sluice.common.proto.WorkerHeartbeatRequest;
import io.sluice.master.worker.WorkerRegistry.LoadFailureListener;

/**
 * Hands the load and copy tasks a heartbeat reports failed to whoever gave them (the load jobs, the drain). The
 * listeners are volatile, set without the {@link WorkerRegistry}'s lock; they are called under it, so they must hand
 * off and not call back.
 */
final class TaskFailureRelay {
  private volatile LoadFailureListener loadFailures = (worker, failure) -> { };
  private volatile LoadFailureListener copyFailures = (worker, failure) -> { };

  void onLoadFailures(LoadFailureListener listener) {
    this.loadFailures = listener;
  }

  void onCopyFailures(LoadFailureListener listener) {
    this.copyFailures = listener;
  }

  /** Passes on the failures {@code req}, a heartbeat of worker {@code workerId}, reports. */
  void relay(long workerId, WorkerHeartbeatRequest req) {
    for (BlockLoadFailure f : req.getFailedLoadsList()) {
      loadFailures.failed(workerId, f);
    }
    for (BlockLoadFailure f : req.getFailedCopiesList()) {
      copyFailures.failed(workerId, f);
    }
  }
}
