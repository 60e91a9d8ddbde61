package io.sluice.worker.block;

/** The kinds of cache tier, fastest first: the declaration order is the order in which a new block seeks room. */
public enum TierAlias {
  MEM,
  SSD,
  HDD
}
