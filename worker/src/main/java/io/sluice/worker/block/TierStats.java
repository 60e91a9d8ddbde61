package io.sluice.worker.block;

/**
 * A snapshot of one tier, for metrics and status. Failed directories count in neither capacity nor used.
 *
 * @param alias the tier
 * @param capacity bytes its healthy directories may hold
 * @param used bytes of committed blocks
 * @param reserved bytes reserved by writes in progress
 * @param pooled bytes of freed files kept for reuse (MEM only); free space for placement, but held in memory
 * @param blocks committed blocks
 * @param evictions blocks evicted from it since start
 * @param dirs directories configured
 * @param failedDirs directories marked failed
 */
public record TierStats(TierAlias alias, long capacity, long used, long reserved, long pooled, int blocks,
    long evictions, int dirs, int failedDirs) {}
