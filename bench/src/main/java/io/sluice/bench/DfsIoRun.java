package io.sluice.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * TestDFSIO's shape through the Hadoop API: {@code files} files of {@code mib} MiB written by as many threads at
 * once (TestDFSIO's map tasks), then read back the same way, each read verified. Reports the aggregate (all bytes
 * over the wall time) and, as TestDFSIO does, the median file's own rate.
 */
final class DfsIoRun {
  private final FileSystem fs;
  private final Path dir;
  private final int files;
  private final int mib;

  DfsIoRun(FileSystem fs, Path dir, int files, int mib) {
    this.fs = fs;
    this.dir = dir;
    this.files = files;
    this.mib = mib;
  }

  void run() throws IOException, InterruptedException {
    fs.mkdirs(dir);
    PhaseResult write = Phase.run("dfsio-write", files, 1, (thread, i) -> {
      try (OutputStream out = fs.create(file(thread), true)) {
        new StampedFile().write(out, mib);
      }
    });
    print("write", write);
    PhaseResult read = Phase.run("dfsio-read", files, 1, (thread, i) -> {
      try (InputStream in = fs.open(file(thread))) {
        new StampedFile().verify(in, mib);
      }
    });
    print("read", read);
    fs.delete(dir, true);
  }

  private Path file(int n) {
    return new Path(dir, "io_data_" + n);
  }

  private void print(String what, PhaseResult r) {
    System.out.printf("DFSIO %-5s %d files x %d MiB: aggregate %8.1f MiB/s | median file %8.1f MiB/s%n", what,
        files, mib, TimedRead.mibPerSecond((long) files * mib << 20, r.wallNanos()),
        TimedRead.mibPerSecond((long) mib << 20, r.p50Nanos()));
  }
}
