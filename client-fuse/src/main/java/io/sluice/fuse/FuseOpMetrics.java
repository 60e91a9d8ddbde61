package io.sluice.fuse;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * The meters of one FUSE mount (DESIGN 8). {@value #OP}: a timer per callback, tagged {@code op} (the libfuse name:
 * getattr, read, ...) and {@code outcome}: {@code ok}, or the errno the callback answered ({@code ENOENT},
 * {@code EIO}, ...), so a shell probing for missing names shows as getattr/ENOENT and a failing UFS as read/EIO.
 * {@value #READ_BYTES} and {@value #WRITTEN_BYTES}: bytes served to READ requests and taken from WRITE requests
 * (reads the kernel answers from its page cache never get here). {@value #OPEN_HANDLES}: open files and
 * directories. {@value #STAT_AHEAD_ENTRIES}: statuses listed ahead of lookups ({@code StatAhead}).
 * {@value #SPLICED_BYTES}: bytes of READ replies handed to libfuse as block file ranges ({@code SplicedReplies}).
 *
 * <p>Timers are made once per op and outcome and then only looked up: recording allocates nothing on the
 * read/write path.
 */
public final class FuseOpMetrics {
  public static final String OP = "sluice.fuse.op";
  public static final String READ_BYTES = "sluice.fuse.read";
  public static final String WRITTEN_BYTES = "sluice.fuse.written";
  public static final String OPEN_HANDLES = "sluice.fuse.handles.open";
  public static final String STAT_AHEAD_ENTRIES = "sluice.fuse.statahead.entries";
  public static final String SPLICED_BYTES = "sluice.fuse.read.spliced";
  /** Histogram bounds: from one FUSE round trip (~35-70 us, DESIGN 10) to a slow UFS read-through. */
  private static final Duration[] BUCKETS = {
      Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
      Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30)};

  private final MeterRegistry registry;
  private final Map<FuseOp, OpTimers> timers = new EnumMap<>(FuseOp.class);
  private final LongAdder readBytes = new LongAdder();
  private final LongAdder writtenBytes = new LongAdder();

  /** Meters in {@code registry}; call {@link #bindHandles} once the file system exists. */
  public FuseOpMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (FuseOp op : FuseOp.values()) {
      timers.put(op, new OpTimers(op));
    }
    FunctionCounter.builder(READ_BYTES, readBytes, LongAdder::sum).baseUnit(BaseUnits.BYTES)
        .description("Bytes answered to FUSE READ requests").register(registry);
    FunctionCounter.builder(WRITTEN_BYTES, writtenBytes, LongAdder::sum).baseUnit(BaseUnits.BYTES)
        .description("Bytes taken from FUSE WRITE requests").register(registry);
  }

  /** Adds the gauge of open handles, read from {@code source} when scraped. */
  public <T> void bindHandles(T source, ToDoubleFunction<T> handles) {
    Gauge.builder(OPEN_HANDLES, source, handles).strongReference(true)
        .description("Open files and directories of the mount").register(registry);
  }

  /** Adds the count of statuses kept from stat-ahead pages, read from {@code source} when scraped. */
  public <T> void bindStatAhead(T source, ToDoubleFunction<T> entries) {
    FunctionCounter.builder(STAT_AHEAD_ENTRIES, source, entries)
        .description("Statuses the mount listed ahead of lookups walking a directory in name order")
        .register(registry);
  }

  /** Adds the count of READ reply bytes handed over as block file ranges, read from {@code source} when scraped. */
  public <T> void bindSpliced(T source, ToDoubleFunction<T> bytes) {
    FunctionCounter.builder(SPLICED_BYTES, source, bytes).baseUnit(BaseUnits.BYTES)
        .description("Bytes of READ replies handed to libfuse as ranges of block files on this host, to splice")
        .register(registry);
  }

  /**
   * Records one callback that started at {@code startNanos} ({@link System#nanoTime()}) and answered
   * {@code result} (a count or 0 for success, {@code -errno} for a failure); returns {@code result}.
   */
  int done(FuseOp op, long startNanos, int result) {
    timers.get(op).outcome(result).record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    if (result > 0) {
      if (op == FuseOp.READ) {
        readBytes.add(result);
      } else if (op == FuseOp.WRITE) {
        writtenBytes.add(result);
      }
    }
    return result;
  }

  /** One op's timers: success made up front, each errno on its first occurrence. */
  private final class OpTimers {
    private final FuseOp op;
    private final Timer ok;
    private final Map<Integer, Timer> failed = new ConcurrentHashMap<>();

    OpTimers(FuseOp op) {
      this.op = op;
      this.ok = timer("ok");
    }

    Timer outcome(int result) {
      return result >= 0 ? ok : failed.computeIfAbsent(-result, errno -> timer(errnoName(errno)));
    }

    private Timer timer(String outcome) {
      return Timer.builder(OP).tag("op", op.tag()).tag("outcome", outcome).serviceLevelObjectives(BUCKETS)
          .description("FUSE callbacks served, by operation and outcome (ok or the errno answered)")
          .register(registry);
    }
  }

  /** {@code ENOENT} for 2; the number itself for an errno this platform has no name for. */
  static String errnoName(int errno) {
    // Fully qualified: this package's Errno maps failures to numbers, jnr's names them.
    jnr.constants.platform.Errno e = jnr.constants.platform.Errno.valueOf(errno);
    boolean known = e != null && e != jnr.constants.platform.Errno.__UNKNOWN_CONSTANT__;
    return known ? e.name() : Integer.toString(errno);
  }
}
