package io.sluice.worker.copy;

import io.sluice.common.proto.BlockCopyTask;
import io.sluice.common.proto.BlockLoadFailure;
import io.sluice.common.proto.BlockLoadTask;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerAddress;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.worker.block.BlockStore;
import io.sluice.worker.block.CommitReporter;
import io.sluice.worker.block.TempBlock;
import io.sluice.worker.ufs.LoadTasks;
import io.sluice.worker.ufs.TaskFailures;
import java.io.Closeable;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's side of a decommission's drain: the master's COPY_BLOCKS tasks. Each task reads the whole block from
 * its source worker over READ_BLOCK ({@link RemoteBlockFetch}, chunk checksums verified) into a temp block and
 * commits it, so the block is reported to the master as an added block with the next heartbeat (one is asked for
 * at once), exactly like a written or loaded block. Copies run on their own threads, at most {@code threads} at
 * once, never on an event loop or the heartbeat thread; a block already held or already being copied is not copied
 * twice.
 *
 * <p>When the source fails and the block is UFS-backed, the block is loaded from the UFS instead ({@link LoadTasks},
 * whose failure goes to the master as a failed load); otherwise the failure is kept here until a heartbeat carries
 * it to the master, which then tries another target. Thread-safe.
 */
public final class BlockCopier implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(BlockCopier.class);
  /** Frames the source may send ahead of what is written: a few, so the disk and the network overlap. */
  private static final int CREDITS = 4;

  private final BlockStore store;
  private final CommitReporter reporter;
  private final LoadTasks loads;
  private final RpcOptions options;
  private final int chunkSize;
  private final CopyStats stats;
  private final ExecutorService threads;
  private final Set<Long> running = new HashSet<>();
  /** Failures not yet sent, by block; a later outcome for the same block replaces an earlier one. */
  private final TaskFailures failed = new TaskFailures();

  /**
   * @param loads loads UFS-backed blocks whose source failed; null for a worker without read-through
   * @param options for the connections to source workers (identity, timeouts)
   * @param threads copies running at once; at least 1
   * @param chunkSize bytes per frame asked of the source
   */
  public BlockCopier(BlockStore store, CommitReporter reporter, LoadTasks loads, RpcOptions options, int threads,
      int chunkSize, CopyStats stats) {
    if (threads < 1) {
      throw new IllegalArgumentException("at least one copy thread is needed: " + threads);
    }
    this.store = store;
    this.reporter = reporter;
    this.loads = loads;
    this.options = options;
    this.chunkSize = chunkSize;
    this.stats = stats;
    AtomicInteger n = new AtomicInteger();
    this.threads = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "worker-copy-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** Queues the tasks; returns at once. */
  public void run(List<BlockCopyTask> tasks) {
    for (BlockCopyTask t : tasks) {
      synchronized (this) {
        if (!running.add(t.getBlockId())) {
          continue;
        }
      }
      try {
        threads.execute(() -> copyQuietly(t));
      } catch (RejectedExecutionException e) {
        synchronized (this) {
          running.remove(t.getBlockId()); // shutting down: the master times the task out
        }
      }
    }
  }

  private void copyQuietly(BlockCopyTask t) {
    try {
      copy(t);
    } catch (RuntimeException e) {
      LOG.error("copying block {} failed", t.getBlockId(), e);
      fail(t.getBlockId(), Status.INTERNAL, "copying block " + t.getBlockId() + ": " + e);
    } finally {
      synchronized (this) {
        running.remove(t.getBlockId());
      }
    }
  }

  private void copy(BlockCopyTask t) {
    long id = t.getBlockId();
    if (store.contains(id)) {
      succeeded(id); // reported when committed, or in the next heartbeat's added blocks
      return;
    }
    try {
      stats.recordCopied(fetch(t));
      succeeded(id);
      reporter.reportCommitted(id);
    } catch (RpcException e) {
      if (e.status() == Status.ALREADY_EXISTS) {
        succeeded(id); // committed since we looked (a reader's read-through, a load)
      } else if (t.hasUfs() && loads != null) {
        LOG.info("copying block {} from {}:{} failed ({}: {}); loading it from the UFS instead", id,
            t.getSource().getHost(), t.getSource().getDataPort(), e.status(), e.getMessage());
        loads.run(List.of(BlockLoadTask.newBuilder().setBlockId(id).setSource(t.getUfs()).build()));
      } else {
        stats.recordFailed();
        fail(id, e.status(), e.getMessage());
      }
    }
  }

  /**
   * Reads the block from its source into a temp block and commits it; nothing is left behind on failure.
   *
   * @return the block's length
   */
  private long fetch(BlockCopyTask t) throws RpcException {
    WorkerAddress src = t.getSource();
    TempBlock temp = store.create(t.getBlockId(), t.getLength());
    boolean committed = false;
    try (RpcClient client = RpcClient.connect(new InetSocketAddress(src.getHost(), src.getDataPort()), options);
        RemoteBlockFetch fetch = RemoteBlockFetch.open(client, t.getBlockId(), chunkSize, CREDITS,
            options.callTimeout())) {
      fetch.into(temp, t.getLength());
      long length = temp.length();
      temp.commit();
      committed = true;
      return length;
    } finally {
      if (!committed) {
        temp.abort();
      }
    }
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
    LOG.info("copy task for block {} failed: {}: {}", blockId, status, message);
    failed.fail(blockId, status, message);
  }

  private void succeeded(long blockId) {
    failed.succeeded(blockId);
  }

  /** Stops the copies: running ones are interrupted and leave no temp block; queued ones are dropped. */
  @Override
  public void close() {
    threads.shutdownNow();
    try {
      if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("block copies still running after 10 s; closing anyway");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
