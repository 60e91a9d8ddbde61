package io.sluice.master.worker;

import io.sluice.common.proto.DecommissionState;
import io.sluice.common.proto.WorkerAddress;
import java.util.Set;

/**
 * A worker not in service, as the registry saw it at one moment.
 *
 * @param live whether it heartbeats; a lost worker's blocks are not listed (it reports them again on return)
 * @param blocks the blocks it holds, a copy
 */
public record DrainingWorker(long workerId, WorkerAddress address, boolean live, DecommissionState state,
    Set<Long> blocks) {}
