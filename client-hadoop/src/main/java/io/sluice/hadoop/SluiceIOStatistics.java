package io.sluice.hadoop;

import static org.apache.hadoop.fs.statistics.StoreStatisticNames.OP_APPEND;
import static org.apache.hadoop.fs.statistics.StoreStatisticNames.OP_CREATE;
import static org.apache.hadoop.fs.statistics.StoreStatisticNames.OP_DELETE;
import static org.apache.hadoop.fs.statistics.StoreStatisticNames.OP_GET_FILE_STATUS;
import static org.apache.hadoop.fs.statistics.StoreStatisticNames.OP_LIST_STATUS;
import static org.apache.hadoop.fs.statistics.StoreStatisticNames.OP_MKDIRS;
import static org.apache.hadoop.fs.statistics.StoreStatisticNames.OP_OPEN;
import static org.apache.hadoop.fs.statistics.StoreStatisticNames.OP_RENAME;
import static org.apache.hadoop.fs.statistics.StreamStatisticNames.STREAM_READ_BYTES;
import static org.apache.hadoop.fs.statistics.StreamStatisticNames.STREAM_READ_EXCEPTIONS;
import static org.apache.hadoop.fs.statistics.StreamStatisticNames.STREAM_READ_OPERATIONS;
import static org.apache.hadoop.fs.statistics.StreamStatisticNames.STREAM_READ_SEEK_OPERATIONS;
import static org.apache.hadoop.fs.statistics.StreamStatisticNames.STREAM_WRITE_BYTES;
import static org.apache.hadoop.fs.statistics.StreamStatisticNames.STREAM_WRITE_EXCEPTIONS;

import org.apache.hadoop.fs.statistics.IOStatisticsSource;
import org.apache.hadoop.fs.statistics.impl.IOStatisticsBinding;
import org.apache.hadoop.fs.statistics.impl.IOStatisticsStore;

/**
 * The {@link IOStatisticsSource} statistics Sluice's Hadoop classes keep, under Hadoop's standard names (so
 * {@code IOStatisticsLogging}, Spark and the S3A-style tooling read them as they read S3A's or ABFS's): the file
 * system counts its operations, each input stream its reads, seeks and failures, each output stream its writes.
 */
final class SluiceIOStatistics {
  private SluiceIOStatistics() {}

  /** A file system's operation counters. */
  static IOStatisticsStore forFileSystem() {
    return IOStatisticsBinding.iostatisticsStore().withCounters(OP_OPEN, OP_CREATE, OP_APPEND, OP_RENAME, OP_DELETE,
        OP_MKDIRS, OP_LIST_STATUS, OP_GET_FILE_STATUS).build();
  }

  /** One input stream's: bytes and read calls that returned data (sequential and positioned), seeks, failures. */
  static IOStatisticsStore forInputStream() {
    return IOStatisticsBinding.iostatisticsStore().withCounters(STREAM_READ_BYTES, STREAM_READ_OPERATIONS,
        STREAM_READ_SEEK_OPERATIONS, STREAM_READ_EXCEPTIONS).build();
  }

  /** One output stream's: bytes written, failures. */
  static IOStatisticsStore forOutputStream() {
    return IOStatisticsBinding.iostatisticsStore().withCounters(STREAM_WRITE_BYTES, STREAM_WRITE_EXCEPTIONS).build();
  }
}
