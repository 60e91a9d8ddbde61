package io.sluice.bench;

import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceInputStream;
import io.sluice.common.conf.SluiceConf;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Issue 4's data-path benchmark: what the Java client reads of a cached file, remotely (loopback, the worker in
 * another JVM) and short-circuit (checked, and with the opt-in that skips the client's CRC32C check), with 1 and 4
 * threads, beside the ceilings measured in the same run: raw loopback TCP
 * between two JVM processes (plain socket writes, and {@code transferTo} of the same block files as a zero-copy worker
 * sends), and a plain {@code FileChannel} read of the block files from the page cache. Also the sequential write of
 * the file, into fresh tmpfs pages (cold) and again after deleting it (warm: the worker reuses freed MEM files).
 * Remote reads run against a worker with {@code sluice.worker.data.transfer} zero-copy, then against two at once,
 * copy and mapped, read in turns.
 * Figures are medians of the rounds after untimed warm-up reads, MiB/s; every byte read is counted and the first
 * read's CRC32C checked.
 *
 * <p>Warm-up runs for a time, not a number of reads: on 2 cores a fresh worker and client read at a third to a half of
 * their steady rate for their first ~10-20 GiB, while the JIT compilers take up to half the CPU and Netty's buffer
 * pools fill (async-profiler, 2026-12-02). The steady rate is what a long-running worker and a job's client see; the
 * first read after start is printed beside it, so the warm-up cost stays visible.
 *
 * <p>Every reader copies into a 1 MiB heap array, as a caller of {@code InputStream.read(byte[])} gets its bytes:
 * the raw TCP reader too (from a direct buffer), so the ceilings do the copy Sluice must do.
 *
 * <p>Usage: {@code DataPathBench [size-MiB] [rounds] [warm-up-seconds] [tier-dir]} (default 1024 3 30
 * /dev/shm/sluice-datapath-PID); the warm-up is per cluster (two clusters read in turns warm up twice as long).
 */
public final class DataPathBench {
  private static final int BUFFER = 1 << 20;
  private static final int PATTERN = 8 << 20;

  private final long size;
  private final int rounds;
  private final long warmUpNanos;
  private final byte[] pattern = new byte[PATTERN];

  private DataPathBench(long size, int rounds, int warmUpSeconds) {
    this.size = size;
    this.rounds = rounds;
    this.warmUpNanos = warmUpSeconds * 1_000_000_000L;
    new Random(7).nextBytes(pattern);
  }

  public static void main(String[] args) throws Exception {
    int sizeMiB = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int warmUp = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    Path tierDir = Path.of(args.length > 3 ? args[3] : "/dev/shm/sluice-datapath-" + ProcessHandle.current().pid());
    Path dir = Files.createTempDirectory("sluice-datapath");
    System.out.printf("data path bench: %d MiB file, %d rounds after %d s of warm-up reads, MEM tier in %s, %d cores%n",
        sizeMiB, rounds, warmUp, tierDir, Runtime.getRuntime().availableProcessors());
    try {
      new DataPathBench((long) sizeMiB << 20, rounds, warmUp).run(dir, tierDir);
    } finally {
      deleteTree(dir);
      deleteTree(tierDir);
    }
  }

  private void run(Path dir, Path tierDir) throws Exception {
    String tiers = "MEM:" + tierDir + ":" + (3 * size >> 20) + "m";
    double remote;
    double remote4;
    double remoteFirst;
    double shortCircuit;
    double shortCircuit4;
    double unchecked;
    double unchecked4;
    double coldWrite;
    double warmWrite;
    List<Path> blocks;
    try (Peer cluster = Peer.cluster(dir.resolve("zero-copy"), tiers, "zero-copy")) {
      SluiceConf conf = SluiceConf.defaults().with("sluice.master.addresses", cluster.master);
      try (SluiceClient client = SluiceClient.connect(conf);
          SluiceClient noLocal = SluiceClient.connect(conf.with("sluice.user.short.circuit.enabled", "false"));
          SluiceClient trusting = SluiceClient.connect(conf.with("sluice.user.short.circuit.skip.checksum", "true"))) {
        coldWrite = mibPerSecond(size, timeWrite(client, "/cold.bin"));
        client.delete("/cold.bin", false);
        blocks = awaitBlockFiles(tierDir, 0);
        warmWrite = mibPerSecond(size, timeWrite(client, "/f.bin"));
        remoteFirst = timeRead(noLocal, "/f.bin", 1);
        check(noLocal, "/f.bin");
        warmUp(warmUpNanos, noLocal, client);
        remote = median(() -> timeRead(noLocal, "/f.bin", 1));
        remote4 = median(() -> timeRead(noLocal, "/f.bin", 4));
        shortCircuit = median(() -> timeRead(client, "/f.bin", 1));
        shortCircuit4 = median(() -> timeRead(client, "/f.bin", 4));
        unchecked = median(() -> timeRead(trusting, "/f.bin", 1));
        unchecked4 = median(() -> timeRead(trusting, "/f.bin", 4));
      }
      blocks = awaitBlockFiles(tierDir, size);
    }
    List<Path> files = blocks;
    double fileRead = median(() -> timeFiles(files, 1));
    double fileRead4 = median(() -> timeFiles(files, 4));
    String[] names = files.stream().map(Path::toString).toArray(String[]::new);
    double tcpPlain = median(() -> timeTcp("plain", 1, names));
    double tcpPlain4 = median(() -> timeTcp("plain", 4, names));
    double tcpSendfile = median(() -> timeTcp("transferTo", 1, names));
    double tcpSendfile4 = median(() -> timeTcp("transferTo", 4, names));
    deleteTree(tierDir);
    double[][] byCopy = remoteReads(dir, tierDir, "copy", "mapped");
    double[] copy = byCopy[0];
    double[] mapped = byCopy[1];
    System.out.println();
    System.out.printf("ceiling  loopback TCP, plain writes       1 conn %7.0f MiB/s   4 conns %7.0f MiB/s%n", tcpPlain,
        tcpPlain4);
    System.out.printf("ceiling  loopback TCP, transferTo         1 conn %7.0f MiB/s   4 conns %7.0f MiB/s%n",
        tcpSendfile, tcpSendfile4);
    System.out.printf("ceiling  FileChannel read of the blocks   1 thr  %7.0f MiB/s   4 thr   %7.0f MiB/s%n", fileRead,
        fileRead4);
    System.out.printf("Sluice   remote read, zero-copy worker    1 thr  %7.0f MiB/s   4 thr   %7.0f MiB/s"
        + "   = %.2fx / %.2fx plain TCP, %.2fx / %.2fx transferTo%n", remote, remote4, remote / tcpPlain,
        remote4 / tcpPlain4, remote / tcpSendfile, remote4 / tcpSendfile4);
    System.out.printf("Sluice   remote read, copy worker         1 thr  %7.0f MiB/s   4 thr   %7.0f MiB/s"
        + "   = %.2fx / %.2fx plain TCP%n", copy[1], copy[2], copy[1] / tcpPlain, copy[2] / tcpPlain4);
    System.out.printf("Sluice   remote read, mapped worker       1 thr  %7.0f MiB/s   4 thr   %7.0f MiB/s"
        + "   = %.2fx / %.2fx plain TCP%n", mapped[1], mapped[2], mapped[1] / tcpPlain, mapped[2] / tcpPlain4);
    System.out.printf("Sluice   remote read, first after start   zero-copy %.0f, copy %.0f, mapped %.0f MiB/s"
        + "   (1 thread, before the warm-up)%n", remoteFirst, copy[0], mapped[0]);
    System.out.printf("Sluice   short-circuit read               1 thr  %7.0f MiB/s   4 thr   %7.0f MiB/s"
        + "   = %.2fx / %.2fx the file read%n", shortCircuit, shortCircuit4, shortCircuit / fileRead,
        shortCircuit4 / fileRead4);
    System.out.printf("Sluice   short-circuit, checksum skipped  1 thr  %7.0f MiB/s   4 thr   %7.0f MiB/s"
        + "   = %.2fx / %.2fx the file read (sluice.user.short.circuit.skip.checksum=true)%n", unchecked, unchecked4,
        unchecked / fileRead, unchecked4 / fileRead4);
    System.out.printf("Sluice   sequential write (remote)        cold   %7.0f MiB/s   warm    %7.0f MiB/s%n", coldWrite,
        warmWrite);
    System.out.println("targets: remote >= 0.8x raw loopback TCP, short-circuit >= 0.9x the plain file read");
  }

  /**
   * Waits until the tier's block files add up to {@code bytes} (a deleted file's blocks leave at the worker's next
   * heartbeat) and returns them.
   */
  private static List<Path> awaitBlockFiles(Path tierDir, long bytes) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (true) {
      List<Path> files = blockFiles(tierDir);
      long total = 0;
      for (Path f : files) {
        total += Files.size(f);
      }
      if (total == bytes) {
        return files;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(tierDir + ": block files hold " + total + " bytes, expected " + bytes);
      }
      Thread.sleep(100);
    }
  }

  /** Untimed reads, so the JIT has compiled the read path before the timed rounds (it takes a few GiB here). */
  /**
   * Remote reads from fresh clusters whose workers send by {@code transfers} ({@code sluice.worker.data.transfer}),
   * each with its own MEM tier under {@code tierDir}, all running at once: each writes the file and reads it once
   * (the first read after start), then all warm up together and the timed reads take turns (1 thread on each, then 4
   * threads on each, per round), so the machine's drift hits every mode alike. Per mode: {first, 1 thread, 4
   * threads}, MiB/s.
   */
  private double[][] remoteReads(Path dir, Path tierDir, String... transfers) throws Exception {
    List<Peer> peers = new ArrayList<>();
    List<SluiceClient> clients = new ArrayList<>();
    try {
      for (String t : transfers) {
        peers.add(Peer.cluster(dir.resolve(t), "MEM:" + tierDir.resolve(t) + ":" + (3 * size >> 20) + "m", t));
        clients.add(SluiceClient.connect(SluiceConf.defaults().with("sluice.master.addresses", peers.get(
            peers.size() - 1).master).with("sluice.user.short.circuit.enabled", "false")));
      }
      double[][] out = new double[transfers.length][3];
      for (int i = 0; i < transfers.length; i++) {
        timeWrite(clients.get(i), "/f.bin");
        out[i][0] = timeRead(clients.get(i), "/f.bin", 1);
        check(clients.get(i), "/f.bin");
      }
      warmUp(transfers.length * warmUpNanos, clients.toArray(new SluiceClient[0])); // each worker warms as long
      double[][][] timed = new double[transfers.length][2][rounds];
      for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < 2; k++) {
          for (int i = 0; i < transfers.length; i++) {
            timed[i][k][r] = timeRead(clients.get(i), "/f.bin", k == 0 ? 1 : 4);
          }
        }
      }
      for (int i = 0; i < transfers.length; i++) {
        out[i][1] = medianOf(timed[i][0]);
        out[i][2] = medianOf(timed[i][1]);
      }
      return out;
    } finally {
      for (SluiceClient c : clients) {
        c.close();
      }
      for (Peer p : peers) {
        p.close();
      }
    }
  }

  /** Reads the file with each client, 1 and 4 threads in turn, for {@code nanos} (twice at least). */
  private void warmUp(long nanos, SluiceClient... clients) throws Exception {
    long start = System.nanoTime();
    int passes = 0;
    while (passes < 2 || System.nanoTime() - start < nanos) {
      for (SluiceClient c : clients) {
        timeRead(c, "/f.bin", 1);
        timeRead(c, "/f.bin", 4);
      }
      passes++;
    }
    System.out.printf("  warm-up: %d passes of %d reads in %.0f s%n", passes, 2 * clients.length,
        (System.nanoTime() - start) / 1e9);
  }

  /** Writes the file from the repeating pattern; returns the nanoseconds it took, close included. */
  private long timeWrite(SluiceClient client, String path) throws IOException {
    long start = System.nanoTime();
    try (OutputStream out = client.create(path)) {
      for (long at = 0; at < size; ) {
        int n = (int) Math.min(BUFFER, size - at);
        int from = (int) (at % PATTERN);
        int k = Math.min(n, PATTERN - from);
        out.write(pattern, from, k);
        at += k;
      }
    }
    return System.nanoTime() - start;
  }

  /** Reads the whole file once and checks its CRC32C against the pattern's. */
  private void check(SluiceClient client, String path) throws IOException {
    CRC32C want = new CRC32C();
    for (long at = 0; at < size; ) {
      int from = (int) (at % PATTERN);
      int k = (int) Math.min(PATTERN - from, size - at);
      want.update(pattern, from, k);
      at += k;
    }
    CRC32C got = new CRC32C();
    byte[] buf = new byte[BUFFER];
    long n = 0;
    try (SluiceInputStream in = client.open(path)) {
      for (int k; (k = in.read(buf)) > 0; ) {
        got.update(buf, 0, k);
        n += k;
      }
    }
    if (n != size || got.getValue() != want.getValue()) {
      throw new IllegalStateException(path + ": read " + n + " bytes with another CRC32C than written");
    }
  }

  /** MiB/s of {@code threads} readers each reading its quarter (or the whole) of the file sequentially. */
  private double timeRead(SluiceClient client, String path, int threads) throws Exception {
    long share = size / threads;
    return parallel(threads, k -> {
      byte[] buf = new byte[BUFFER];
      long n = 0;
      long len = k == threads - 1 ? size - k * share : share;
      try (SluiceInputStream in = client.open(path)) {
        in.seek(k * share);
        while (n < len) {
          int r = in.read(buf, 0, (int) Math.min(buf.length, len - n));
          if (r < 0) {
            break;
          }
          n += r;
        }
      }
      return n;
    });
  }

  /** MiB/s of reading the block files with FileChannel into a heap array, files round-robin over the threads. */
  private double timeFiles(List<Path> files, int threads) throws Exception {
    return parallel(threads, k -> {
      ByteBuffer buf = ByteBuffer.wrap(new byte[BUFFER]);
      long n = 0;
      for (int i = k; i < files.size(); i += threads) {
        try (FileChannel f = FileChannel.open(files.get(i), StandardOpenOption.READ)) {
          long at = 0;
          for (int r; (r = f.read(buf.clear(), at)) > 0; ) {
            at += r;
          }
          n += at;
        }
      }
      return n;
    });
  }

  /** MiB/s received from a peer process sending the block files' bytes on {@code connections} connections. */
  private double timeTcp(String mode, int connections, String[] files) throws Exception {
    try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
      int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
      List<String> args = new ArrayList<>(List.of("send", Integer.toString(port), mode, Long.toString(size),
          Integer.toString(connections)));
      if (mode.equals("transferTo")) {
        args.addAll(List.of(files));
      }
      Process p = Peer.start(args);
      try {
        List<SocketChannel> accepted = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
          accepted.add(server.accept());
        }
        double mib = parallel(connections, k -> {
          ByteBuffer direct = ByteBuffer.allocateDirect(BUFFER);
          byte[] heap = new byte[BUFFER];
          long n = 0;
          try (SocketChannel s = accepted.get(k)) {
            for (int r; (r = s.read(direct.clear())) >= 0; ) {
              direct.flip().get(heap, 0, r);
              n += r;
            }
          }
          return n;
        });
        if (p.waitFor() != 0) {
          throw new IllegalStateException("the sending peer failed");
        }
        return mib;
      } finally {
        p.destroyForcibly();
      }
    }
  }

  interface Share {
    long run(int k) throws Exception;
  }

  /** Runs {@code threads} shares at once; returns their bytes in all, checked to be the file's size, per second. */
  private double parallel(int threads, Share share) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Long>> parts = new ArrayList<>();
      long start = System.nanoTime();
      for (int k = 0; k < threads; k++) {
        int kk = k;
        parts.add(pool.submit((Callable<Long>) () -> share.run(kk)));
      }
      long total = 0;
      for (Future<Long> f : parts) {
        total += f.get();
      }
      long nanos = System.nanoTime() - start;
      if (total != size) {
        throw new IllegalStateException("moved " + total + " bytes, expected " + size);
      }
      return mibPerSecond(total, nanos);
    } finally {
      pool.shutdownNow();
    }
  }

  interface Measure {
    double run() throws Exception;
  }

  private double median(Measure m) throws Exception {
    double[] xs = new double[rounds];
    for (int i = 0; i < rounds; i++) {
      xs[i] = m.run();
    }
    return medianOf(xs);
  }

  private static double medianOf(double[] xs) {
    double[] sorted = xs.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static double mibPerSecond(long bytes, long nanos) {
    return bytes / (1024.0 * 1024.0) / (nanos / 1e9);
  }

  private static List<Path> blockFiles(Path tierDir) throws IOException {
    try (Stream<Path> s = Files.list(tierDir.resolve("blocks"))) {
      return s.sorted().toList();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** A {@link DataPathPeer} process. */
  private static final class Peer implements AutoCloseable {
    private final Process process;
    private final String master;

    private Peer(Process process, String master) {
      this.process = process;
      this.master = master;
    }

    static Process start(List<String> args) throws IOException {
      List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx1g",
          "-cp", System.getProperty("java.class.path"), DataPathPeer.class.getName()));
      cmd.addAll(args);
      return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** Starts a master and worker in a peer process and waits for its {@code ready} line. */
    static Peer cluster(Path dir, String tiers, String transfer) throws IOException {
      Files.createDirectories(dir);
      Process p = start(List.of("cluster", dir.toString(), tiers, transfer));
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith("ready ")) {
          drain(out);
          return new Peer(p, line.substring(6).trim());
        }
      }
      p.destroyForcibly();
      throw new IllegalStateException("the cluster process ended before it was ready");
    }

    /** Keeps reading the process's output (its log), so a full pipe never stalls it. */
    private static void drain(BufferedReader out) {
      Thread t = new Thread(() -> {
        try {
          while (out.readLine() != null) {
            // discarded
          }
        } catch (IOException ignored) {
          // the process ended
        }
      }, "peer-output");
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() throws IOException {
      process.getOutputStream().close();
      try {
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
