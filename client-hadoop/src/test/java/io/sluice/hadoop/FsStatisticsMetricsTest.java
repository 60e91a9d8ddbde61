package io.sluice.hadoop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

/** Hadoop's statistics of {@code sluice://} as Micrometer meters, moving with real traffic to the test cluster. */
class FsStatisticsMetricsTest {
  private static double counter(MeterRegistry r, String name, String kind) {
    var search = r.find(name).tag("scheme", "sluice");
    return (kind == null ? search : search.tag("kind", kind)).functionCounter().count();
  }

  @Test
  void metersFollowTheTraffic() throws IOException {
    MeterRegistry own = new SimpleMeterRegistry();
    FsStatisticsMetrics.sluice().bindTo(own);
    MeterRegistry global = new SimpleMeterRegistry();
    Metrics.globalRegistry.add(global);
    Path p = new Path("/metrics-test/data.bin");
    byte[] data = new byte[200_000];
    new Random(5).nextBytes(data);
    try (FileSystem fs = FileSystem.newInstance(MiniSluiceCluster.get().uri(),
        MiniSluiceCluster.get().hadoopConf())) {
      double read0 = counter(own, FsStatisticsMetrics.READ_BYTES, null);
      double written0 = counter(own, FsStatisticsMetrics.WRITTEN_BYTES, null);
      double readOps0 = counter(own, FsStatisticsMetrics.OPS, "read");
      double writeOps0 = counter(own, FsStatisticsMetrics.OPS, "write");
      double globalRead0 = counter(global, FsStatisticsMetrics.READ_BYTES, null);

      try (FSDataOutputStream out = fs.create(p, true)) {
        out.write(data);
      }
      try (InputStream in = fs.open(p)) {
        assertArrayEquals(data, in.readAllBytes());
      }
      fs.listStatus(p.getParent());
      fs.delete(p.getParent(), true);

      assertEquals(data.length, counter(own, FsStatisticsMetrics.WRITTEN_BYTES, null) - written0);
      assertEquals(data.length, counter(own, FsStatisticsMetrics.READ_BYTES, null) - read0);
      assertTrue(counter(own, FsStatisticsMetrics.OPS, "read") - readOps0 >= 2, "open and list");
      assertTrue(counter(own, FsStatisticsMetrics.OPS, "write") - writeOps0 >= 2, "create and delete");
      assertEquals(data.length, counter(global, FsStatisticsMetrics.READ_BYTES, null) - globalRead0,
          "bound to the global registry by the file system itself");
      assertEquals(0, counter(own, FsStatisticsMetrics.OPS, "large_read"), "only HDFS counts large reads");
    } finally {
      Metrics.globalRegistry.remove(global);
      global.close();
      own.close();
    }
  }
}
