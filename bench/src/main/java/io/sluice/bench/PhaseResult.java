package io.sluice.bench;

import java.util.Arrays;

/** Throughput and latency percentiles of one timed phase: every operation's latency across all threads. */
record PhaseResult(String name, int threads, long ops, long wallNanos, long p50Nanos, long p99Nanos) {
  static PhaseResult of(String name, int threads, long[][] latencies, long wallNanos) {
    long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
    return new PhaseResult(name, threads, all.length, wallNanos, percentile(all, 0.50), percentile(all, 0.99));
  }

  private static long percentile(long[] sorted, double p) {
    return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  }

  double opsPerSecond() {
    return ops * 1e9 / wallNanos;
  }

  String row() {
    return String.format("%-28s %8d %12.0f %10.1f %10.1f", name, threads, opsPerSecond(), p50Nanos / 1e3,
        p99Nanos / 1e3);
  }

  static String header() {
    return String.format("%-28s %8s %12s %10s %10s", "operation", "threads", "ops/s", "p50 us", "p99 us");
  }
}
