package io.sluice.fuse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Completes released files off the mount's ordered thread. The kernel sends RELEASE after {@code close(2)} has
 * returned, so nobody waits for its answer, but the ordered thread does: a new file's completion (its last block
 * committed on a worker, then COMPLETE_FILE through the journal, milliseconds) held up the next request, which in
 * a loop writing small files is the next file's lookup. Here the completion runs on a thread of its own and the
 * ordered thread goes on.
 *
 * <p>What the ordered loop gave for free is kept by waiting: a callback about a path whose completion is still
 * running waits for it first ({@link #await}), and one about a directory waits for those under it ({@link
 * #awaitUnder}), so within the mount a file is seen complete after its close, as before (a stat, an open, a
 * {@code utimens} that must not be overwritten by the completion's modification time, a rename of its directory, a
 * listing). Other clients already wait on the master, which the flush before the release told the file is closing.
 *
 * <p>At most {@code limit} completions run at once, each on its own thread (threads are kept, not churned); a
 * release beyond that completes its file itself, so a writer faster than the master is held back as before.
 * Thread-safe.
 */
final class BackgroundCompletions implements AutoCloseable {
  /** A file's completion, run once. */
  interface Completion {
    void run();
  }

  private final ExecutorService threads;
  private final Semaphore slots;
  private final Map<String, CompletableFuture<Void>> running = new ConcurrentHashMap<>();

  /** @param limit completions in flight at most; 0 takes none (every release completes its own file) */
  BackgroundCompletions(int limit) {
    this.slots = new Semaphore(limit);
    AtomicInteger n = new AtomicInteger();
    this.threads = limit == 0 ? null : new ThreadPoolExecutor(limit, limit, 0, TimeUnit.MILLISECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "sluice-fuse-complete-" + n.getAndIncrement());
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * Runs {@code completion} of the file at {@code path} in the background, unless no slot is free; the caller has
   * waited for any earlier completion of the path ({@link #await}).
   *
   * @return false when it was not taken: the caller completes the file itself
   */
  boolean submit(String path, Completion completion) {
    if (threads == null || !slots.tryAcquire()) {
      return false;
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    running.put(path, done);
    threads.execute(() -> {
      try {
        completion.run();
      } finally {
        // The slot first: whoever sees the path done may count on it.
        slots.release();
        running.remove(path, done);
        done.complete(null);
      }
    });
    return true;
  }

  /** Waits for the completion of the file at {@code path}, if one runs. */
  void await(String path) {
    if (running.isEmpty()) {
      return;
    }
    CompletableFuture<Void> f = running.get(path);
    if (f != null) {
      f.join();
    }
  }

  /** Waits for the completions of {@code path} and of the files under it (a directory). */
  void awaitUnder(String path) {
    if (running.isEmpty()) {
      return;
    }
    String prefix = path.endsWith("/") ? path : path + "/";
    List<CompletableFuture<Void>> under = new ArrayList<>();
    running.forEach((p, f) -> {
      if (p.equals(path) || p.startsWith(prefix)) {
        under.add(f);
      }
    });
    under.forEach(CompletableFuture::join);
  }

  /** Completions running now. */
  int running() {
    return running.size();
  }

  /** Waits for every completion running, then stops the threads. */
  @Override
  public void close() {
    awaitUnder("/");
    if (threads != null) {
      threads.shutdown();
    }
  }
}
