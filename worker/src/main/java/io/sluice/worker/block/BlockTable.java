package io.sluice.worker.block;

import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The committed blocks by id. Adding or dropping a block also counts its bytes in its directory, tells the eviction
 * policy, and (on drop) forgets its pin. Guarded by the store's lock: call only under it.
 */
final class BlockTable {
  private final Map<Long, StoredBlock> blocks = new HashMap<>();
  private final EvictionPolicy policy;
  private final PinnedBlocks pins;

  BlockTable(EvictionPolicy policy, PinnedBlocks pins) {
    this.policy = policy;
    this.pins = pins;
  }

  /** The block, or null when not here. */
  StoredBlock get(long blockId) {
    return blocks.get(blockId);
  }

  /** @throws RpcException NOT_FOUND when this worker does not hold it */
  StoredBlock find(long blockId) throws RpcException {
    StoredBlock b = blocks.get(blockId);
    if (b == null) {
      throw new RpcException(Status.NOT_FOUND, "block " + blockId + " is not on this worker");
    }
    return b;
  }

  boolean contains(long blockId) {
    return blocks.containsKey(blockId);
  }

  Collection<StoredBlock> all() {
    return blocks.values();
  }

  long[] ids() {
    return blocks.keySet().stream().mapToLong(Long::longValue).toArray();
  }

  void accessed(long blockId) {
    policy.accessed(blockId);
  }

  void add(StoredBlock b) {
    blocks.put(b.id, b);
    b.dir.added(b.length);
    policy.added(b.id);
  }

  /** Forgets {@code b} (its files are the caller's business) and adds its id to {@code removed}. */
  void drop(StoredBlock b, List<Long> removed) {
    blocks.remove(b.id);
    pins.forget(b.id);
    b.dir.removed(b.length);
    policy.removed(b.id);
    removed.add(b.id);
  }
}
