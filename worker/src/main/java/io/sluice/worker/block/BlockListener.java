package io.sluice.worker.block;

/** Told of every change to the set of committed blocks, so the master hears of it in the next heartbeat. */
public interface BlockListener {
  void committed(long blockId);

  void removed(long blockId);
}
