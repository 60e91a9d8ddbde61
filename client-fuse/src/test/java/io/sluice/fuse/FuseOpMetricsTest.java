package io.sluice.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import ru.serce.jnrfuse.ErrorCodes;

/** One timer per op and outcome, the errno named; byte counters move with READ and WRITE results only. */
class FuseOpMetricsTest {
  @Test
  void outcomesAreOkOrTheErrnoName() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FuseOpMetrics ops = new FuseOpMetrics(registry);
    long start = System.nanoTime();
    assertEquals(0, ops.done(FuseOp.GETATTR, start, 0));
    assertEquals(-ErrorCodes.ENOENT(), ops.done(FuseOp.GETATTR, start, -ErrorCodes.ENOENT()));
    ops.done(FuseOp.GETATTR, start, -ErrorCodes.ENOENT());
    assertEquals(1, registry.get(FuseOpMetrics.OP).tags("op", "getattr", "outcome", "ok").timer().count());
    assertEquals(2, registry.get(FuseOpMetrics.OP).tags("op", "getattr", "outcome", "ENOENT").timer().count());
  }

  @Test
  void bytesCountSuccessfulReadsAndWrites() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FuseOpMetrics ops = new FuseOpMetrics(registry);
    ops.done(FuseOp.READ, System.nanoTime(), 4096);
    ops.done(FuseOp.READ, System.nanoTime(), -ErrorCodes.EIO());
    ops.done(FuseOp.WRITE, System.nanoTime(), 100);
    ops.done(FuseOp.GETXATTR, System.nanoTime(), 7);  // a size, but not data
    FunctionCounter read = registry.get(FuseOpMetrics.READ_BYTES).functionCounter();
    assertEquals(4096, read.count());
    assertEquals(100, registry.get(FuseOpMetrics.WRITTEN_BYTES).functionCounter().count());
  }

  @Test
  void anErrnoWithoutANameKeepsItsNumber() {
    assertEquals("ENOENT", FuseOpMetrics.errnoName(ErrorCodes.ENOENT()));
    assertEquals("9999", FuseOpMetrics.errnoName(9999));
  }
}
