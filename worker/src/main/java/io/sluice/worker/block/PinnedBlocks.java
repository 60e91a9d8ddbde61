package io.sluice.worker.block;

import java.util.HashSet;
import java.util.Set;

/**
 * Which committed blocks eviction must leave alone: the pinned ones, and while the start-up hold lasts, every block
 * found at start. Guarded by the store's lock: call only under it.
 *
 * <p>Pins are soft state the master sends again at each registration, so a worker that just started cannot tell
 * the only copies of Sluice-native data among its blocks from blocks it may drop (issue 4); the hold covers that
 * gap until the master's pins arrive.
 */
final class PinnedBlocks {
  private final Set<Long> pinned = new HashSet<>();
  /** Set by {@link #holdAtOpen()}: what the start-up scan finds goes into {@link #heldSinceStart}. */
  private boolean holdAtOpen;
  /** Blocks found at start, kept from eviction until {@link #releaseHold()}. */
  private final Set<Long> heldSinceStart = new HashSet<>();

  void pin(long blockId) {
    pinned.add(blockId);
  }

  void unpin(long blockId) {
    pinned.remove(blockId);
  }

  boolean pinned(long blockId) {
    return pinned.contains(blockId);
  }

  int size() {
    return pinned.size();
  }

  /** Holds every block the start-up scan finds from now on, until {@link #releaseHold()}. */
  void holdAtOpen() {
    holdAtOpen = true;
  }

  /** The start-up scan found {@code blockId}. */
  void found(long blockId) {
    if (holdAtOpen) {
      heldSinceStart.add(blockId);
    }
  }

  /** Ends the start-up hold; false when there was none. */
  boolean releaseHold() {
    if (!holdAtOpen) {
      return false;
    }
    holdAtOpen = false;
    heldSinceStart.clear();
    return true;
  }

  /** The block went: a pin is for the block held; one cached again later is pinned again by the master. */
  void forget(long blockId) {
    pinned.remove(blockId);
    heldSinceStart.remove(blockId);
  }

  /** Whether eviction must skip {@code blockId}: pinned, or held since start. */
  boolean keptFromEviction(long blockId) {
    return pinned.contains(blockId) || heldSinceStart.contains(blockId);
  }
}
