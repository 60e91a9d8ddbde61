package io.sluice.master.worker;

import io.sluice.common.proto.BlockCopyTask;
import io.sluice.common.proto.BlockLoadTask;
import io.sluice.common.proto.WorkerCommand;
import io.sluice.common.proto.WorkerHeartbeatResponse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The commands waiting for one worker's next heartbeat reply: blocks to remove, to pin or unpin, load and copy tasks.
 * A worker is told nothing between heartbeats, so the master queues here and {@link #drainTo} hands everything over
 * at once. Not thread-safe: guarded by the {@link WorkerRegistry}'s lock, like the {@link WorkerState} owning it.
 */
final class WorkerCommandQueue {
  /** Blocks the worker should delete. */
  private final Set<Long> toRemove = new HashSet<>();
  /** Blocks the worker must pin (of kept files) or may evict again; a block is in at most one of the two. */
  private final Set<Long> toPin = new HashSet<>();
  private final Set<Long> toUnpin = new HashSet<>();
  /** Load-job tasks for the worker. */
  private final List<BlockLoadTask> toLoad = new ArrayList<>();
  /** Decommission copy tasks for the worker (it is their target). */
  private final List<BlockCopyTask> toCopy = new ArrayList<>();

  /** Pins {@code blockId}, replacing an unpin not sent yet. */
  void pin(long blockId) {
    toPin.add(blockId);
    toUnpin.remove(blockId);
  }

  /** Unpins {@code blockId}, replacing a pin not sent yet. */
  void unpin(long blockId) {
    toUnpin.add(blockId);
    toPin.remove(blockId);
  }

  /** Pins all of {@code blockIds}, replacing unpins not sent yet. */
  void pinAll(Collection<Long> blockIds) {
    toPin.addAll(blockIds);
    toUnpin.removeAll(blockIds);
  }

  /** Takes the pins queued (to send them in the registration's answer rather than a heartbeat reply). */
  List<Long> takePins() {
    List<Long> out = List.copyOf(toPin);
    toPin.clear();
    return out;
  }

  /** Queues the removal of a block the worker holds but must not keep. */
  void remove(long blockId) {
    toRemove.add(blockId);
  }

  /** The block's file is gone: its pin or unpin no longer matters, its removal does. */
  void removeInsteadOfPin(long blockId) {
    toPin.remove(blockId);
    toUnpin.remove(blockId);
    toRemove.add(blockId);
  }

  /** The worker reported the block gone: nothing queued for it is left to do. */
  void forget(long blockId) {
    toRemove.remove(blockId);
    toPin.remove(blockId);
    toUnpin.remove(blockId);
  }

  void load(List<BlockLoadTask> tasks) {
    toLoad.addAll(tasks);
  }

  void copy(List<BlockCopyTask> tasks) {
    toCopy.addAll(tasks);
  }

  /**
   * The worker was lost: it re-registers with a full block report, which decides its removals and pins anew. Its
   * load tasks stay queued for a heartbeat after it registers again.
   */
  void clearOnLoss() {
    toRemove.clear();
    toPin.clear(); // its registration pins again all it must keep
    toUnpin.clear();
    toCopy.clear(); // the drain gives them to another target once their deadline passes
  }

  /** Adds a command for each queue not empty to {@code reply} (loads, copies, pins, unpins, removals), emptying it. */
  void drainTo(WorkerHeartbeatResponse.Builder reply) {
    if (!toLoad.isEmpty()) {
      reply.addCommands(WorkerCommand.newBuilder().setType(WorkerCommand.Type.LOAD_BLOCKS).addAllLoads(toLoad));
      toLoad.clear();
    }
    if (!toCopy.isEmpty()) {
      reply.addCommands(WorkerCommand.newBuilder().setType(WorkerCommand.Type.COPY_BLOCKS).addAllCopies(toCopy));
      toCopy.clear();
    }
    drainBlocks(reply, WorkerCommand.Type.PIN_BLOCKS, toPin);
    drainBlocks(reply, WorkerCommand.Type.UNPIN_BLOCKS, toUnpin);
    drainBlocks(reply, WorkerCommand.Type.REMOVE_BLOCKS, toRemove);
  }

  private static void drainBlocks(WorkerHeartbeatResponse.Builder reply, WorkerCommand.Type type, Set<Long> blocks) {
    if (!blocks.isEmpty()) {
      reply.addCommands(WorkerCommand.newBuilder().setType(type).addAllBlockIds(blocks));
      blocks.clear();
    }
  }
}
