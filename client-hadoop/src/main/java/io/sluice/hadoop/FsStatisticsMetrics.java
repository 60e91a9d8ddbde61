package io.sluice.hadoop;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.StorageStatistics;

/**
 * The Hadoop client's counters (DESIGN §8): Hadoop's {@link FileSystem.Statistics} of the {@code sluice} scheme,
 * summed over every {@link SluiceFileSystem} of the JVM, as Micrometer function counters read when scraped.
 * {@value #READ_BYTES} and {@value #WRITTEN_BYTES}: bytes through the file systems' streams; {@value #OPS}: the
 * operations Hadoop counts, tagged {@code kind}: {@code read} (opens, statuses, listings), {@code large_read}
 * (reads of more than Hadoop's large-read threshold) and {@code write} (creates, renames, deletes, ...).
 *
 * <p>A Hadoop client runs inside someone else's process (a Spark executor, a MapReduce task), which owns the
 * registries and the HTTP port: the meters are bound once to Micrometer's global registry
 * ({@link Metrics#globalRegistry}) when the first {@code sluice://} file system is initialized, so an application
 * that adds its registry there exports them; {@link #bindTo} binds them to any other registry.
 */
public final class FsStatisticsMetrics implements MeterBinder {
  public static final String READ_BYTES = "sluice.hadoop.read";
  public static final String WRITTEN_BYTES = "sluice.hadoop.written";
  public static final String OPS = "sluice.hadoop.ops";
  private static final AtomicBoolean GLOBAL_BOUND = new AtomicBoolean();
  // The names FileSystemStorageStatistics gives the fields of FileSystem.Statistics (stable since Hadoop 2.8).
  private static final String BYTES_READ = "bytesRead";
  private static final String BYTES_WRITTEN = "bytesWritten";
  private static final String READ_OPS = "readOps";
  private static final String LARGE_READ_OPS = "largeReadOps";
  private static final String WRITE_OPS = "writeOps";

  // Function counters hold their state object weakly, and a registry added to the global one later makes its
  // meters from that object: it must stay reachable for the life of the JVM.
  private static final FsStatisticsMetrics SLUICE = new FsStatisticsMetrics(SluiceFileSystem.SCHEME);

  private final String scheme;

  private FsStatisticsMetrics(String scheme) {
    this.scheme = scheme;
  }

  /** The meters of the {@code sluice} scheme. */
  public static FsStatisticsMetrics sluice() {
    return SLUICE;
  }

  /** Binds the {@code sluice} meters to the global registry, once per JVM. */
  static void bindGlobalOnce() {
    if (GLOBAL_BOUND.compareAndSet(false, true)) {
      SLUICE.bindTo(Metrics.globalRegistry);
    }
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    counter(registry, READ_BYTES, BYTES_READ, null,
        "Bytes read through sluice:// streams");
    counter(registry, WRITTEN_BYTES, BYTES_WRITTEN, null,
        "Bytes written through sluice:// streams");
    counter(registry, OPS, READ_OPS, "read",
        "sluice:// file system operations, by Hadoop's kinds");
    counter(registry, OPS, LARGE_READ_OPS, "large_read",
        "sluice:// file system operations, by Hadoop's kinds");
    counter(registry, OPS, WRITE_OPS, "write",
        "sluice:// file system operations, by Hadoop's kinds");
  }

  private void counter(MeterRegistry registry, String name, String statistic, String kind, String description) {
    FunctionCounter.Builder<FsStatisticsMetrics> b = FunctionCounter.builder(name, this, m -> m.value(statistic))
        .tag("scheme", scheme).description(description);
    if (kind == null) {
      b.baseUnit(BaseUnits.BYTES);
    } else {
      b.tag("kind", kind);
    }
    b.register(registry);
  }

  /**
   * The statistic now; 0 before the first file system of the scheme exists (Hadoop registers a scheme's
   * statistics then).
   */
  private double value(String statistic) {
    StorageStatistics stats = FileSystem.getGlobalStorageStatistics().get(scheme);
    Long v = stats == null ? null : stats.getLong(statistic);
    return v == null ? 0 : v;
  }
}
