package io.sluice.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** Runs one operation from N threads, {@code perThread} times each, all starting together, timing every call. */
final class Phase {
  /** One call of the measured operation by thread {@code thread}, its {@code i}-th. */
  interface Op {
    void run(int thread, int i) throws Exception;
  }

  private Phase() {}

  static PhaseResult run(String name, int threads, int perThread, Op op) throws InterruptedException {
    long[][] latencies = new long[threads][perThread];
    List<Thread> workers = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    CountDownLatch go = new CountDownLatch(1);
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread w = new Thread(() -> {
        try {
          go.await();
          for (int i = 0; i < perThread; i++) {
            long start = System.nanoTime();
            op.run(thread, i);
            latencies[thread][i] = System.nanoTime() - start;
          }
        } catch (Exception e) {
          failures.add(e);
        }
      }, name + "-" + t);
      workers.add(w);
      w.start();
    }
    long start = System.nanoTime();
    go.countDown();
    for (Thread w : workers) {
      w.join();
    }
    long wall = System.nanoTime() - start;
    if (!failures.isEmpty()) {
      throw new IllegalStateException(name + " failed: " + failures.get(0), failures.get(0));
    }
    return PhaseResult.of(name, threads, latencies, wall);
  }
}
