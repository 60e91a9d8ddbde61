package io.sluice.common.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

/**
 * The JVM and process meters every server exposes: memory pools (heap, non-heap, direct and mapped buffers), GC,
 * threads, CPU and uptime. {@link #close()} removes the GC notification listeners the GC binder installs.
 */
public final class JvmMetrics implements AutoCloseable {
  private final JvmGcMetrics gc;

  /** Binds the meters to {@code registry}. */
  public JvmMetrics(MeterRegistry registry) {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    gc = new JvmGcMetrics();
    gc.bindTo(registry);
  }

  @Override
  public void close() {
    gc.close();
  }
}
