package io.sluice.common.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a leaked buffer or region while it ran (STYLE 15). Netty only logs leaks;
 * this installs a leak detector factory that also records them. Registered for every test through JUnit's extension
 * auto-detection (META-INF/services), so each module that has common's test-jar on its test classpath is guarded.
 * Tests run with {@code -Dio.netty.leakDetectionLevel=paranoid}, so every buffer is tracked.
 */
public final class LeakGuardExtension implements AfterAllCallback {
  private static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();

  static {
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
  }

  @Override
  public void afterAll(ExtensionContext context) throws InterruptedException {
    check(context.getDisplayName());
  }

  /** Collects garbage, lets Netty poll its leak queues, and fails if any leak was reported. */
  static void check(String what) throws InterruptedException {
    // Leaks are found when a leaked object was collected and a later allocation polls the reference queue.
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(20);
      List<ByteBuf> bufs = new ArrayList<>();
      for (int j = 0; j < 16; j++) {
        bufs.add(PooledByteBufAllocator.DEFAULT.directBuffer(64));
        bufs.add(PooledByteBufAllocator.DEFAULT.heapBuffer(64));
      }
      bufs.forEach(ByteBuf::release);
    }
    if (!LEAKS.isEmpty()) {
      String report = String.join("\n", LEAKS);
      LEAKS.clear();
      throw new AssertionError("Netty reported leaks during " + what + ":\n" + report);
    }
  }

  private static final class RecordingFactory extends ResourceLeakDetectorFactory {
    @Override
    @SuppressWarnings("deprecation")
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
        long maxActive) {
      return new ResourceLeakDetector<T>(resource, samplingInterval) {
        @Override
        protected void reportTracedLeak(String resourceType, String records) {
          LEAKS.add("LEAK " + resourceType + records);
          super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
          LEAKS.add("LEAK " + resourceType + " (untraced)");
          super.reportUntracedLeak(resourceType);
        }
      };
    }
  }
}
