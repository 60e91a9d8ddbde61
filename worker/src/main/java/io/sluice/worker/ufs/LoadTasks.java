package io.sluice.worker.ufs;

import io.sluice.common.proto.BlockLoadFailure;
import io.sluice.common.proto.BlockLoadTask;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.UfsBlockSource;
import io.sluice.common.rpc.RpcException;
import io.sluice.worker.block.BlockStore;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's side of load jobs: the master's LOAD_BLOCKS tasks. Each task starts (or joins) the block's
 * read-through like a reader's miss would, without waiting for it: the copy runs on the UFS threads and a
 * successful one is committed and reported as an added block by the load itself. What fails (the load, or
 * starting it) is kept here as a {@link BlockLoadFailure} until a heartbeat carries it to the master. Thread-safe.
 *
 * <p>A task follows its load only to learn how it ended: it holds the follower's reference to the load's file
 * until then, and releases it and unfollows from the wake that reports completion or failure (or at once, when
 * the load had ended before the task could follow it).
 */
public final class LoadTasks {
  private static final Logger LOG = LoggerFactory.getLogger(LoadTasks.class);

  private final BlockStore store;
  private final ReadThrough readThrough;
  /** Failures not yet sent, by block; a later outcome for the same block replaces an earlier one. */
  private final TaskFailures failed = new TaskFailures();

  public LoadTasks(BlockStore store, ReadThrough readThrough) {
    this.store = store;
    this.readThrough = readThrough;
  }

  /**
   * Starts the tasks' loads; returns without waiting for any UFS I/O (the store's reservation of each block's
   * temp file is all the calling thread does).
   */
  public void run(List<BlockLoadTask> tasks) {
    for (BlockLoadTask t : tasks) {
      try {
        start(t);
      } catch (RuntimeException e) {
        LOG.error("load task for block {} failed", t.getBlockId(), e);
        fail(t.getBlockId(), Status.INTERNAL, "loading block " + t.getBlockId() + ": " + e);
      }
    }
  }

  private void start(BlockLoadTask t) {
    long id = t.getBlockId();
    UfsBlockSource src = t.getSource();
    if (store.contains(id)) {
      // Already held: it was reported when committed, or is in the added blocks of the next heartbeat.
      succeeded(id);
      return;
    }
    if (!t.hasSource() || src.getOffset() < 0 || src.getLength() < 0) {
      fail(id, Status.INVALID_ARGUMENT, "block " + id + ": bad UFS source range [" + src.getOffset() + ", +"
          + src.getLength() + ")");
      return;
    }
    Follower f = new Follower(id);
    BlockLoad load;
    try {
      load = readThrough.join(id, src, false, f);
    } catch (RpcException e) {
      if (e.status() == Status.ALREADY_EXISTS) {
        succeeded(id); // committed since we looked
      } else {
        fail(id, e.status(), e.getMessage());
      }
      return;
    }
    if (load == null) {
      if (store.contains(id)) {
        succeeded(id);
      } else {
        fail(id, Status.NO_SPACE, "block " + id + " not loaded: no room in the store (or a load of it from "
            + "another UFS source is running)");
      }
      return;
    }
    f.attach(load);
  }

  /** Takes the failures to send in a heartbeat. */
  public List<BlockLoadFailure> takeFailures() {
    return failed.take();
  }

  /** Puts back failures a heartbeat did not deliver, under any newer outcome for the same block. */
  public void restoreFailures(List<BlockLoadFailure> undelivered) {
    failed.restore(undelivered);
  }

  private void fail(long blockId, Status status, String message) {
    LOG.info("load task for block {} failed: {}: {}", blockId, status, message);
    failed.fail(blockId, status, message);
  }

  private void succeeded(long blockId) {
    failed.succeeded(blockId);
  }

  /**
   * A task's follower of its load: woken on the UFS thread, it only looks at the load's state; once the load has
   * ended it records the outcome, unfollows and releases its file reference, exactly once.
   */
  private final class Follower implements Runnable {
    private final long blockId;
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile BlockLoad load;

    Follower(long blockId) {
      this.blockId = blockId;
    }

    /**
     * Sets the joined load, then looks at it: the load may have ended (and woken its followers) before join
     * returned, even before this follower was added.
     */
    void attach(BlockLoad joined) {
      load = joined;
      check();
    }

    @Override
    public void run() {
      check();
    }

    private void check() {
      BlockLoad l = load;
      if (l == null) {
        return; // woken before join returned: attach looks again
      }
      RpcException failure = l.failure();
      if (failure == null && !l.isComplete()) {
        return;
      }
      if (!done.compareAndSet(false, true)) {
        return;
      }
      try {
        if (failure != null) {
          fail(blockId, failure.status(), failure.getMessage());
        } else if (store.contains(blockId)) {
          succeeded(blockId); // committed before complete was set; the load reports it
        } else {
          fail(blockId, Status.IO_ERROR, "block " + blockId
              + " was read from the UFS but is not held: not cached, or evicted at once");
        }
      } finally {
        l.unfollow(this);
        l.file().release();
      }
    }
  }
}
