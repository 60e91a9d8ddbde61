package io.sluice.master.worker;

import io.sluice.common.proto.BlockLocation;
import io.sluice.common.proto.DecommissionState;
import java.util.ArrayList;
import java.util.List;

/**
 * The order a reader is given a block's holders in: a worker being drained should serve as few reads as it can, and
 * a drained one none while another copy exists, so in-service workers come first (in no particular order), then
 * decommissioning ones, and decommissioned ones only when no other live worker holds the block.
 */
final class ReadOrder {
  private ReadOrder() {}

  /** Orders {@code live}, the block's live holders (sorted in place), into the locations a reader gets. */
  static List<BlockLocation> of(List<WorkerState> live) {
    boolean othersHold = live.stream().anyMatch(w -> w.decommission != DecommissionState.DECOMMISSIONED);
    live.sort((a, b) -> Integer.compare(a.decommission.getNumber(), b.decommission.getNumber()));
    List<BlockLocation> out = new ArrayList<>(live.size());
    for (WorkerState w : live) {
      if (!othersHold || w.decommission != DecommissionState.DECOMMISSIONED) {
        out.add(BlockLocation.newBuilder().setWorkerId(w.id).setAddress(w.address).build());
      }
    }
    return out;
  }
}
