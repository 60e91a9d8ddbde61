package io.sluice.master.rpc;

import io.sluice.common.rpc.RpcException;
import io.sluice.master.namespace.KeptFiles;
import io.sluice.master.store.NamespaceStore;
import io.sluice.master.store.StoreSnapshot;
import io.sluice.master.worker.WorkerRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the workers what a namespace change did to the pins (issue 4): after a pin, an unpin, or a rename across a
 * pinned directory's edge is applied, the blocks of the UFS-backed files at or under the path are pinned or unpinned
 * on the workers holding them, as {@link KeptFiles} now decides, with their next heartbeat replies. On the leader,
 * after apply (apply never calls a worker). Losing this (a failover right after the change) only delays it: every
 * worker registers with the new leader, whose answer sets the pins of all the blocks it reported, so a lost pin is
 * given and a lost unpin taken back then.
 */
final class PinSync {
  private static final Logger LOG = LoggerFactory.getLogger(PinSync.class);

  private final NamespaceStore store;
  private final WorkerRegistry registry;

  PinSync(NamespaceStore store, WorkerRegistry registry) {
    this.store = store;
    this.registry = registry;
  }

  /** What is kept at or under {@code path} may have changed. Walks the subtree there (a snapshot of it). */
  void changed(String path) {
    KeptFiles.Blocks blocks;
    try (StoreSnapshot snap = store.snapshot()) {
      blocks = KeptFiles.under(snap, path);
    } catch (RpcException e) {
      LOG.debug("pins at {} not sent: {}", path, e.getMessage()); // removed meanwhile: nothing left to pin
      return;
    }
    registry.queuePins(blocks.kept(), blocks.evictable());
  }
}
