package io.sluice.bench;

import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceInputStream;
import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;

/**
 * Issue 7's bench: what the Hadoop {@code FileSystem} layer costs over {@code client-java}. One master and one
 * worker in this JVM on loopback (MEM tier on /dev/shm). A file written once through Hadoop, then read warm (cached)
 * by both clients in the same run, alternating: whole-file sequential reads of 1 MiB into a {@code byte[]}, and
 * 1 MiB positioned {@code readFully} calls at shuffled offsets. Prints the median and best run of each and the
 * Hadoop/client ratios (target at least 0.95x). Then a TestDFSIO-style run through Hadoop ({@link DfsIoRun}).
 *
 * <p>Usage: {@code HadoopBench [size-MiB] [runs] [dfsio-files] [dfsio-MiB] [key=value ...]} (default 1024 5 4 128).
 * The {@code key=value} pairs go to both clients, e.g. {@code sluice.user.short.circuit.enabled=false} to read
 * through the worker's data server instead of the block files.
 */
public final class HadoopBench {
  private static final String FILE = "/hadoop-bench/warm.bin";
  private static final org.apache.hadoop.fs.Path HADOOP_FILE = new org.apache.hadoop.fs.Path(FILE);

  private final SluiceClient client;
  private final FileSystem fs;
  private final long length;
  private final byte[] buf = new byte[StampedFile.BLOCK];

  private HadoopBench(SluiceClient client, FileSystem fs, long length) {
    this.client = client;
    this.fs = fs;
    this.length = length;
  }

  public static void main(String[] args) throws Exception {
    int sizeMiB = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int dfsioFiles = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    int dfsioMiB = args.length > 3 ? Integer.parseInt(args[3]) : 128;
    List<String> extra = args.length > 4 ? Arrays.asList(args).subList(4, args.length) : List.of();
    Path shm = Path.of("/dev/shm/sluice-hadoop-bench-" + ProcessHandle.current().pid());
    Path dir = Files.createTempDirectory("sluice-hadoop-bench");
    String tiers = "MEM:" + shm + ":" + (sizeMiB + (long) dfsioFiles * dfsioMiB + 512) + "m";
    System.out.printf("hadoop bench: %d MiB file, %d runs, DFSIO %d x %d MiB, worker tiers %s, %d cores %s%n",
        sizeMiB, runs, dfsioFiles, dfsioMiB, tiers, Runtime.getRuntime().availableProcessors(), extra);
    try (BenchCluster c = new BenchCluster(dir, tiers, pairs(extra));
        SluiceClient client = c.client();
        FileSystem fs = hadoop(c.conf(), extra)) {
      HadoopBench bench = new HadoopBench(client, fs, (long) sizeMiB << 20);
      bench.writeAndWarm(sizeMiB);
      bench.compare(runs);
      new DfsIoRun(fs, new org.apache.hadoop.fs.Path("/hadoop-bench/dfsio"), dfsioFiles, dfsioMiB).run();
    } finally {
      deleteTree(dir);
      deleteTree(shm);
    }
  }

  /** Writes the file through Hadoop, then reads it once through each client, checking every block. */
  private void writeAndWarm(int blocks) throws IOException {
    long start = System.nanoTime();
    try (OutputStream out = fs.create(HADOOP_FILE, true)) {
      new StampedFile().write(out, blocks);
    }
    System.out.printf("write through Hadoop: %8.1f MiB/s (first touch of the MEM tier included)%n",
        TimedRead.mibPerSecond(length, System.nanoTime() - start));
    try (InputStream in = fs.open(HADOOP_FILE)) {
      new StampedFile().verify(in, blocks);
    }
    try (InputStream in = client.open(FILE)) {
      new StampedFile().verify(in, blocks);
    }
  }

  /** One timed pass of one client. */
  private interface Pass {
    double mibPerSecond() throws IOException;
  }

  /**
   * Interleaves the clients within each run, and swaps which goes first every other run, so drift on a busy
   * machine (other builds, GC, page cache) hits both alike.
   */
  private void compare(int runs) throws IOException {
    List<Double> clientSeq = new ArrayList<>();
    List<Double> hadoopSeq = new ArrayList<>();
    List<Double> clientPread = new ArrayList<>();
    List<Double> hadoopPread = new ArrayList<>();
    Pass clientSeqPass = () -> TimedRead.sequential(length, buf, () -> client.open(FILE));
    Pass hadoopSeqPass = () -> TimedRead.sequential(length, buf, () -> fs.open(HADOOP_FILE));
    Pass clientPreadPass =
        () -> TimedRead.positioned(length, buf, () -> client.open(FILE), SluiceInputStream::readFully);
    Pass hadoopPreadPass =
        () -> TimedRead.positioned(length, buf, () -> fs.open(HADOOP_FILE), FSDataInputStream::readFully);
    for (int r = 0; r < runs; r++) {
      boolean clientFirst = r % 2 == 0;
      both(clientFirst, clientSeqPass, clientSeq, hadoopSeqPass, hadoopSeq);
      both(clientFirst, clientPreadPass, clientPread, hadoopPreadPass, hadoopPread);
    }
    print("sequential 1 MiB read()", clientSeq, hadoopSeq);
    print("positioned 1 MiB readFully", clientPread, hadoopPread);
  }

  private static void both(boolean clientFirst, Pass client, List<Double> clientRates, Pass hadoop,
      List<Double> hadoopRates) throws IOException {
    if (clientFirst) {
      clientRates.add(client.mibPerSecond());
    }
    hadoopRates.add(hadoop.mibPerSecond());
    if (!clientFirst) {
      clientRates.add(client.mibPerSecond());
    }
  }

  /** Medians, and the best runs too: on a shared machine the best run is the one least disturbed by others. */
  private static void print(String what, List<Double> client, List<Double> hadoop) {
    double c = median(client);
    double h = median(hadoop);
    double cb = Collections.max(client);
    double hb = Collections.max(hadoop);
    System.out.printf("%-27s median: client-java %7.1f MiB/s | Hadoop %7.1f MiB/s | Hadoop/client %.3fx%n",
        what, c, h, h / c);
    System.out.printf("%-27s best:   client-java %7.1f MiB/s | Hadoop %7.1f MiB/s | Hadoop/client %.3fx "
        + "(runs: client %s, Hadoop %s)%n", "", cb, hb, hb / cb, rounded(client), rounded(hadoop));
  }

  private static FileSystem hadoop(SluiceConf conf, List<String> extra) throws IOException {
    Configuration hc = new Configuration();
    hc.set("sluice.master.addresses", conf.get(CommonKeys.MASTER_ADDRESSES));
    KeyValues.parse(extra).forEach(hc::set);
    return FileSystem.newInstance(URI.create("sluice://" + conf.get(CommonKeys.MASTER_ADDRESSES) + "/"), hc);
  }

  /** {@code key=value} arguments as BenchCluster's key, value pairs. */
  private static String[] pairs(List<String> extra) {
    return KeyValues.pairs(extra).toArray(String[]::new);
  }

  private static double median(List<Double> xs) {
    double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a[a.length / 2];
  }

  private static String rounded(List<Double> xs) {
    return xs.stream().map(x -> String.format("%.0f", x)).toList().toString();
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var s = Files.walk(root)) {
      for (Path p : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
