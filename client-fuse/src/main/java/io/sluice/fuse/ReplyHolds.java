package io.sluice.fuse;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the reply a serving thread is answering with still needs after its callback returned: libfuse splices a
 * spliced READ's bytes from the block file only then, so that file's descriptor, and the short-circuit lease under
 * which it holds the block, must outlive the callback, whichever thread meanwhile closes the handle's stream (a read
 * thread moving it to another block, the loop dropping it after a write). Each hold is released on the thread that
 * took it, once its request has been answered ({@code SessionLoop} calls {@link #requestDone} after each request).
 */
final class ReplyHolds {
  private static final Logger LOG = LoggerFactory.getLogger(ReplyHolds.class);

  private final ThreadLocal<List<Runnable>> held = ThreadLocal.withInitial(ArrayList::new);

  /** Runs {@code release} once this thread's current request has been answered. */
  void add(Runnable release) {
    held.get().add(release);
  }

  /** The request this thread served has been answered: releases what its reply held. */
  void requestDone() {
    List<Runnable> l = held.get();
    if (l.isEmpty()) {
      return;
    }
    // Each taken off before it runs: whatever a release throws, none runs twice (a descriptor's must not).
    for (int i = 0; i < l.size(); i++) {
      Runnable r = l.set(i, null);
      if (r == null) {
        continue; // taken off by a call that an Error cut short
      }
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.warn("releasing what a READ reply held failed", e);
      }
    }
    l.clear();
  }

  /** Holds taken on this thread and not yet released (tests). */
  int heldHere() {
    return held.get().size();
  }
}
