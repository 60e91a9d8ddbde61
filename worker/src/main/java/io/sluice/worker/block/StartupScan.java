package io.sluice.worker.block;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads what the directories hold at start: each directory drops its unfinished writes and lists its committed
 * blocks; a block found in two directories is kept in the faster one (tiers are scanned fastest first) and the other
 * copy deleted; a MEM directory's pool is cut to what fits beside its blocks. A directory that cannot be opened is
 * failed. Guarded by the store's lock: run only under it.
 */
final class StartupScan {
  private static final Logger LOG = LoggerFactory.getLogger(StartupScan.class);

  private final Tiers tiers;
  private final BlockTable table;
  private final PinnedBlocks pins;
  private final BlockRemover remover;

  StartupScan(Tiers tiers, BlockTable table, PinnedBlocks pins, BlockRemover remover) {
    this.tiers = tiers;
    this.table = table;
    this.pins = pins;
    this.remover = remover;
  }

  void run(List<Long> removed) {
    for (Tier t : tiers.fastestFirst()) {
      for (StorageDir d : t.dirs) {
        try {
          for (StorageDir.Found f : d.open()) {
            if (table.contains(f.blockId())) {
              LOG.warn("deleting {}: block {} is also in {}", f.path(), f.blockId(), table.get(f.blockId()).path);
              Files.deleteIfExists(f.path());
              Files.deleteIfExists(d.sumsPath(f.blockId(), f.length()));
            } else {
              table.add(new StoredBlock(f.blockId(), d, f.path(), f.length(), null));
              pins.found(f.blockId());
            }
          }
          d.fitPool(); // its capacity may have been lowered
        } catch (IOException e) {
          remover.failDir(d, e, removed);
        }
      }
    }
  }
}
