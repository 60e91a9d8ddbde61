package io.sluice.cli.admin;

import io.sluice.cli.JsonOutput;
import io.sluice.common.proto.WorkerStatus;
import io.sluice.common.proto.WorkerSummary;

/**
 * A worker as the leader lists it, with the worker's own status (its tiers) when its HTTP port answered.
 *
 * @param summary the leader's record: address, live or lost, capacity and use as last reported
 * @param status the worker's {@code /api/status}, or null
 * @param statusError why there is no status, or null
 */
record WorkerView(WorkerSummary summary, WorkerStatus status, String statusError) {
  /** {@code {"summary", "status", "statusError"}}. */
  String json() {
    return JsonOutput.object().put("summary", summary).put("status", status).put("statusError", statusError)
        .toString();
  }
}
