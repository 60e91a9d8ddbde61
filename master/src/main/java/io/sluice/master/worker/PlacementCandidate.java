package io.sluice.master.worker;

import io.sluice.common.proto.WorkerAddress;

/** A live worker that can receive a block, as placement sees it. */
public record PlacementCandidate(long workerId, WorkerAddress address, long freeBytes) {}
