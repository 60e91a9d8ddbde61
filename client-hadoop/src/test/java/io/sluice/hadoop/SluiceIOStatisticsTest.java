package io.sluice.hadoop;

import static org.apache.hadoop.fs.statistics.IOStatisticsSupport.retrieveIOStatistics;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.statistics.IOStatistics;
import org.apache.hadoop.fs.statistics.StoreStatisticNames;
import org.apache.hadoop.fs.statistics.StreamStatisticNames;
import org.junit.jupiter.api.Test;

/** IOStatistics of the file system and its streams under Hadoop's names, counted from real traffic. */
class SluiceIOStatisticsTest {
  private static long counter(Object source, String name) {
    IOStatistics stats = retrieveIOStatistics(source);
    assertNotNull(stats, source + " publishes IOStatistics");
    Long v = stats.counters().get(name);
    assertNotNull(v, name + " in " + stats.counters());
    return v;
  }

  @Test
  void operationsAndStreamsAreCounted() throws IOException {
    Path dir = new Path("/iostats-test");
    Path p = new Path(dir, "data.bin");
    byte[] data = new byte[300_000];
    new Random(9).nextBytes(data);
    // A file system of its own: the counters start at zero.
    try (FileSystem fs = FileSystem.newInstance(MiniSluiceCluster.get().uri(), MiniSluiceCluster.get().hadoopConf())) {
      fs.mkdirs(dir);
      try (FSDataOutputStream out = fs.create(p, true)) {
        out.write(data, 0, 1000);
        out.write(data, 1000, data.length - 1000);
        assertEquals(data.length, counter(out, StreamStatisticNames.STREAM_WRITE_BYTES));
        assertEquals(0, counter(out, StreamStatisticNames.STREAM_WRITE_EXCEPTIONS));
      }
      byte[] back = new byte[data.length];
      try (FSDataInputStream in = fs.open(p)) {
        in.readFully(0, back, 0, 100);
        in.seek(100);
        in.readFully(back, 100, back.length - 100);
        assertArrayEquals(data, back);
        assertEquals(data.length, counter(in, StreamStatisticNames.STREAM_READ_BYTES));
        assertEquals(1, counter(in, StreamStatisticNames.STREAM_READ_SEEK_OPERATIONS));
        long reads = counter(in, StreamStatisticNames.STREAM_READ_OPERATIONS);
        assertEquals(true, reads >= 2 && reads <= back.length, "reads that returned data: " + reads);
      }
      fs.getFileStatus(p);
      fs.listStatus(dir);
      fs.rename(p, new Path(dir, "moved.bin"));
      assertThrows(FileNotFoundException.class, () -> fs.open(p));
      fs.delete(dir, true);

      Map<String, Long> ops = retrieveIOStatistics(fs).counters();
      assertEquals(1, ops.get(StoreStatisticNames.OP_MKDIRS), ops.toString());
      assertEquals(1, ops.get(StoreStatisticNames.OP_CREATE), ops.toString());
      assertEquals(2, ops.get(StoreStatisticNames.OP_OPEN), "the failed open counts too: " + ops);
      assertEquals(1, ops.get(StoreStatisticNames.OP_RENAME), ops.toString());
      assertEquals(1, ops.get(StoreStatisticNames.OP_DELETE), ops.toString());
      assertEquals(1, ops.get(StoreStatisticNames.OP_LIST_STATUS), ops.toString());
      assertEquals(0, ops.get(StoreStatisticNames.OP_APPEND), ops.toString());
    }
  }
}
