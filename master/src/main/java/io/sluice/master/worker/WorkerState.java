package io.sluice.master.worker;

import io.sluice.common.proto.DecommissionState;
import io.sluice.common.proto.WorkerAddress;
import io.sluice.common.proto.WorkerSummary;
import java.util.HashSet;
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
  /** What the worker is told with its next heartbeat reply. */
  final WorkerCommandQueue commands = new WorkerCommandQueue();
  /** Kept across re-registrations and losses: an operator's decision, not something the worker reports. */
  DecommissionState decommission = DecommissionState.IN_SERVICE;
  /** What the drain last found: blocks not yet elsewhere, and why it cannot go on (empty while it can). */
  long remaining;
  String stuck = "";

  WorkerState(long id, WorkerAddress address) {
    this.id = id;
    this.address = address;
  }

  /** Sets the decommission state; back IN_SERVICE, the drain's progress is forgotten. */
  void setDecommission(DecommissionState state) {
    decommission = state;
    if (state == DecommissionState.IN_SERVICE) {
      remaining = 0;
      stuck = "";
    }
  }

  /** Records what the last drain round found. */
  void drainFound(long remaining, String stuck) {
    this.remaining = remaining;
    this.stuck = stuck;
  }

  /** Takes over the decommission of the worker's previous registration: an operator's decision outlives it. */
  void keepDecommissionOf(WorkerState old) {
    decommission = old.decommission;
    remaining = old.remaining;
    stuck = old.stuck;
  }

  long freeBytes() {
    return Math.max(0, capacityBytes - usedBytes);
  }

  /** The worker as an administrator sees it; {@code liveNow} says whether it is live and not yet expired. */
  WorkerSummary summary(boolean liveNow, long now) {
    return WorkerSummary.newBuilder().setWorkerId(id).setAddress(address)
        .setCapacityBytes(capacityBytes).setUsedBytes(usedBytes).setLastHeartbeatMs(lastHeartbeatMs)
        .setLive(liveNow).setBlockCount(blocks.size())
        .setHeartbeatAgeMs(Math.max(0, now - lastHeartbeatMs)).setDecommission(decommission)
        .setDecommissionRemainingBlocks(remaining).setDecommissionStuck(stuck).build();
  }
}
