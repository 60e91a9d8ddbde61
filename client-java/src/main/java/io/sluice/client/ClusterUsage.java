package io.sluice.client;

import io.sluice.common.proto.GetClusterInfoResponse;
import io.sluice.common.proto.WorkerSummary;

/**
 * What {@code statfs}/{@code df} report for the cluster: cache capacity and use summed over live workers, and the
 * namespace's inode count.
 */
public record ClusterUsage(long capacityBytes, long usedBytes, long inodes, int liveWorkers) {
  static ClusterUsage of(GetClusterInfoResponse info) {
    long capacity = 0;
    long used = 0;
    int live = 0;
    for (WorkerSummary w : info.getWorkersList()) {
      if (w.getLive()) {
        capacity += w.getCapacityBytes();
        used += w.getUsedBytes();
        live++;
      }
    }
    return new ClusterUsage(capacity, used, info.getInodeCount(), live);
  }

  public long freeBytes() {
    return Math.max(0, capacityBytes - usedBytes);
  }
}
