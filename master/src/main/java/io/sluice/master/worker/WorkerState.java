package io.sluice.master.worker;

import io.sluice.common.proto.BlockCopyTask;
import io.sluice.common.proto.BlockLoadTask;
import io.sluice.common.proto.DecommissionState;
import io.sluice.common.proto.WorkerAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** What the registry knows of one worker. Mutable; guarded by the {@link WorkerRegistry}'s lock. */
final class WorkerState {
  final long id;
  final WorkerAddress address;
  long capacityBytes;
  long usedBytes;
  long lastHeartbeatMs;
  /** False once the worker missed its heartbeats; it must register again (with a full block report). */
  boolean live = true;
  /** Blocks the worker reported holding. */
  final Set<Long> blocks = new HashSet<>();
  /** Blocks the worker should delete, sent with the next heartbeat reply. */
  final Set<Long> toRemove = new HashSet<>();
  /** Blocks the worker must pin (of kept files) or may evict again, sent with the next heartbeat reply. */
  final Set<Long> toPin = new HashSet<>();
  final Set<Long> toUnpin = new HashSet<>();
  /** Load-job tasks for the worker, sent with the next heartbeat reply. */
  final List<BlockLoadTask> toLoad = new ArrayList<>();
  /** Decommission copy tasks for the worker (it is their target), sent with the next heartbeat reply. */
  final List<BlockCopyTask> toCopy = new ArrayList<>();
  /** Kept across re-registrations and losses: an operator's decision, not something the worker reports. */
  DecommissionState decommission = DecommissionState.IN_SERVICE;
  /** What the drain last found: blocks not yet elsewhere, and why it cannot go on (empty while it can). */
  long remaining;
  String stuck = "";

  WorkerState(long id, WorkerAddress address) {
    this.id = id;
    this.address = address;
  }

  long freeBytes() {
    return Math.max(0, capacityBytes - usedBytes);
  }
}
