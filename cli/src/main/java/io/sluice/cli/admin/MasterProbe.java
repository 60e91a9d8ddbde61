package io.sluice.cli.admin;

import io.sluice.cli.JsonOutput;
import io.sluice.common.proto.MasterStatus;

/**
 * One configured master's answer to GET_MASTER_STATUS, or why there was none.
 *
 * @param address the master's RPC {@code host:port}, as configured
 * @param status its status, or null when it did not answer
 * @param error why it did not answer, or null
 */
record MasterProbe(String address, MasterStatus status, String error) {
  boolean reachable() {
    return status != null;
  }

  boolean leads() {
    return status != null && status.getRole().equals("LEADER");
  }

  /**
   * {@code {"address", "reachable", "error", "status"}}; the status without the cluster-wide lists (workers, jobs,
   * mounts), which {@code admin workers}/{@code jobs} show from the leader.
   */
  String json() {
    MasterStatus raft = status == null ? null
        : status.toBuilder().clearWorkers().clearJobs().clearMounts().build();
    return JsonOutput.object().put("address", address).put("reachable", reachable()).put("error", error)
        .put("status", raft).toString();
  }
}
