package io.sluice.worker.ufs;

import io.sluice.common.proto.Status;
import io.sluice.common.proto.UfsBlockSource;
import io.sluice.common.rpc.RpcException;
import io.sluice.worker.block.BlockStore;
import io.sluice.worker.block.CommitReporter;
import io.sluice.worker.block.TempBlock;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Read-through for blocks of UFS-backed files this worker does not hold (DESIGN 5): at most one {@link BlockLoad}
 * per block at a time, which every reader of the block joins, so concurrent readers cost one UFS read. Loads and
 * uncached reads run on a bounded pool of UFS threads, since UFS calls block and must never run on an event loop.
 * Thread-safe.
 *
 * <p>Design: a load is registered from the moment its temp block is created until it has committed or aborted,
 * under this object's lock, which also guards the join. So a reader either joins a registered load (whose file is
 * still open, since the load drops its own reference only after leaving the registry) or, once the load is gone,
 * finds the block committed in the store. The store's create runs under the lock because it is what decides that
 * this reader starts the load; it is a reservation and a file creation, the same work a block write does on its
 * event loop.
 */
public final class ReadThrough implements Closeable {
  private final BlockStore store;
  private final UfsBlockReader reader;
  private final CommitReporter reporter;
  private final LoadBuffers buffers;
  private final ThreadPoolExecutor executor;
  private final Map<Long, BlockLoad> loads = new HashMap<>();

  /**
   * @param threads UFS threads: loads and uncached reads running at once (each load holds one for its block)
   * @param bufferSize bytes read from the UFS at a time by a load, and how often its followers are woken
   */
  public ReadThrough(BlockStore store, UfsBlockReader reader, CommitReporter reporter, int threads, int bufferSize) {
    this.store = store;
    this.reader = reader;
    this.reporter = reporter;
    this.buffers = new LoadBuffers(bufferSize);
    AtomicInteger n = new AtomicInteger();
    this.executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        r -> {
          Thread t = new Thread(r, "worker-ufs-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    executor.allowCoreThreadTimeOut(true); // a worker whose clients read no UFS keeps no threads
  }

  /**
   * Joins the load of block {@code blockId}, starting one from {@code src} unless {@code noCache}; {@code wake} is
   * called as the load progresses (see {@link BlockLoad#follow}). The caller owns one reference to the load's
   * {@link BlockLoad#file()} and releases it when done.
   *
   * @return the load, or null when the caller should read the UFS without caching: {@code noCache} with no load
   *     running, no room in the store, or a load running from another source (other metadata)
   * @throws RpcException ALREADY_EXISTS when the block was committed since the caller looked (read it from the
   *     store), INVALID_ARGUMENT for a negative source range, IO_ERROR when the cache cannot be written,
   *     UNAVAILABLE when shutting down
   */
  public synchronized BlockLoad join(long blockId, UfsBlockSource src, boolean noCache, Runnable wake)
      throws RpcException {
    if (src.getOffset() < 0 || src.getLength() < 0) {
      throw new RpcException(Status.INVALID_ARGUMENT, "block " + blockId + ": bad UFS source range ["
          + src.getOffset() + ", +" + src.getLength() + ")");
    }
    BlockLoad load = loads.get(blockId);
    if (load != null && !load.source().equals(src)) {
      // Two readers disagree on where the block comes from (one has older metadata): each gets what its own
      // source says, checked against the UFS, and only the load's version is cached.
      return null;
    }
    if (load == null) {
      if (noCache) {
        return null;
      }
      load = start(blockId, src);
      if (load == null) {
        return null;
      }
    }
    load.follow(wake);
    return load;
  }

  private BlockLoad start(long blockId, UfsBlockSource src) throws RpcException {
    TempBlock temp;
    try {
      temp = store.create(blockId, src.getLength());
    } catch (RpcException e) {
      if (e.status() == Status.NO_SPACE) {
        return null; // pinned and leased blocks fill the cache: serve this read without keeping the block
      }
      throw e;
    }
    FileChannel channel;
    try {
      channel = temp.openReader();
    } catch (IOException e) {
      temp.abort();
      throw new RpcException(Status.IO_ERROR, "block " + blockId + ": cannot read back its temp file: " + e, e);
    }
    BlockLoad load = new BlockLoad(src, temp, new SharedBlockFile(channel), reader, reporter, buffers,
        this::ended);
    loads.put(blockId, load);
    try {
      executor.execute(load);
    } catch (RejectedExecutionException e) {
      loads.remove(blockId);
      temp.abort();
      load.file().release();
      throw new RpcException(Status.UNAVAILABLE, "the worker is shutting down");
    }
    return load;
  }

  private synchronized void ended(BlockLoad load) {
    loads.remove(load.blockId(), load);
  }

  /** Runs blocking UFS work (an uncached read's next chunk) on the UFS threads. */
  public Executor executor() {
    return executor;
  }

  /** Opens block ranges in the UFS, for uncached reads. */
  public UfsBlockReader reader() {
    return reader;
  }

  /** Loads running now; for tests and status. */
  public synchronized int loadsRunning() {
    return loads.size();
  }

  /**
   * Stops the UFS threads: loads in progress are interrupted and abort their temp blocks, queued ones are
   * cancelled (their readers fail); waits a few seconds for running ones. Close the data server first.
   */
  @Override
  public void close() {
    for (Runnable queued : executor.shutdownNow()) {
      if (queued instanceof BlockLoad load) {
        load.cancel(); // never started: abort its temp block and tell its followers
      }
    }
    try {
      executor.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
