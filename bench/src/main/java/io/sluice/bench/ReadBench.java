package io.sluice.bench;

import io.sluice.client.MountOptions;
import io.sluice.client.SluiceClient;
import io.sluice.ufs.UfsOutputStream;
import io.sluice.ufs.UfsPath;
import io.sluice.ufs.UfsRegistry;
import io.sluice.ufs.UnderFileSystem;
import io.sluice.ufs.s3.S3ProxyProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Issue 5's read benchmark: a file read straight from the UFS (the ceiling), read cold through Sluice (the worker
 * reads it through from the UFS and caches it), and read warm (served from the worker's cache), for a local
 * directory and for a real S3 server (S3Proxy as its own process). Each round uses a new file so the cold read is
 * really cold, and another in a directory listed first (as a job lists its input before reading it, so the cold read
 * finds the file's metadata known); figures are medians over the rounds. One master and one worker in this JVM on
 * loopback; the worker's tier is given as {@code sluice.worker.tiers} (default a MEM tier on /dev/shm), and the
 * worker pre-touches as much MEM space as the cold reads will fill ({@code sluice.worker.mem.pretouch}) before the
 * first round: on this VM, memory touched for the first time faults in at about 0.2 GiB/s, which would time the VM's
 * page reporting instead of the cache (the direct read's buffer is resident too). Operators of such hosts configure
 * the same.
 *
 * <p>A page-cached local file is read at memory speed, which no cache that also stores a copy can match; a UFS is the
 * slow store Sluice sits in front of. So where the UFS's files are on a local disk (the local directory, S3Proxy's
 * filesystem store) each round also reads one file from the disk: the kernel's page cache is dropped before its
 * direct read and again before its cold read through Sluice ({@code /proc/sys/vm/drop_caches}, as root; the row is
 * left out, with the reason, where that is not allowed). Dropping it leaves the MEM tier's tmpfs pages in place.
 * Every file written into a UFS is written out to the disk ({@code sync}) before it is read, as a UFS's data long
 * written is: otherwise the master's first journal sync of the cold read, on the same disk, waited for it.
 *
 * <p>The file in S3Proxy's in-memory store is at most 64 MiB (it holds objects in its heap); when the size asked for
 * is larger, the full size is also read from S3Proxy's filesystem store ("S3Proxy fs"), where a cold read's per-file
 * latency (metadata sync, the first request) weighs less against the transfer.
 *
 * <p>Usage: {@code ReadBench [size-MiB] [rounds] [tiers]} (default 256 3 MEM:/dev/shm/sluice-bench-PID:6g: the
 * cold reads of the default run cache 4.9 GiB).
 */
public final class ReadBench {
  private static final int BUFFER = 1 << 20;
  private static final int S3_MAX = 64 << 20;

  private ReadBench() {}

  public static void main(String[] args) throws Exception {
    int sizeMiB = args.length > 0 ? Integer.parseInt(args[0]) : 256;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path shm = Path.of("/dev/shm/sluice-bench-" + ProcessHandle.current().pid());
    String tiers = args.length > 2 ? args[2] : "MEM:" + shm + ":6g";
    Path dir = Files.createTempDirectory("sluice-read-bench");
    // Null when the local dir's and S3Proxy's fs store's files can be read from the disk (see PageCache).
    String disk = PageCache.whyNotDroppable(dir);
    byte[] data = new byte[sizeMiB << 20];
    new Random(1).nextBytes(data);
    System.out.printf("read bench: %d MiB file, %d rounds, worker tiers %s, %d cores%n", sizeMiB, rounds, tiers,
        Runtime.getRuntime().availableProcessors());
    // What the cold reads write: every round's two files (one read after a listing) for the local dir, the S3Proxy
    // store and (when larger) its fs one, and a third read from the disk for the local dir and the fs store.
    long pretouch = rounds * (3L * data.length + 2L * Math.min(data.length, S3_MAX)
        + (data.length > S3_MAX ? 3L * data.length : 0));
    try (BenchCluster c = new BenchCluster(dir, tiers, "sluice.worker.mem.pretouch", Long.toString(pretouch));
        SluiceClient client = c.client()) {
      c.awaitPretouch();
      Path localRoot = Files.createDirectories(dir.resolve("ufs"));
      client.mount("/local", localRoot.toUri(), MountOptions.defaults());
      try (UnderFileSystem local = UfsRegistry.load().create(localRoot.toUri(), Map.of())) {
        run("local dir", local, "/local", client, data, rounds, disk);
      }
      // S3Proxy keeps objects in its heap (512 MiB): it fails uploads much past 64 MiB.
      s3("S3Proxy", S3ProxyProcess.start(Files.createDirectories(dir.resolve("s3mem"))), "/s3",
          data.length > S3_MAX ? Arrays.copyOf(data, S3_MAX) : data, client, rounds, "its files are not on a disk");
      if (data.length > S3_MAX) {
        // Its filesystem store holds the full size: per-file latency then weighs less against the transfer.
        s3("S3Proxy fs", S3ProxyProcess.startOnDisk(Files.createDirectories(dir.resolve("s3disk"))), "/s3fs",
            data, client, rounds, disk);
      }
    } finally {
      deleteTree(dir);
      if (Files.exists(shm)) {
        deleteTree(shm);  // only the default tier directory, which this run made
      }
    }
  }

  /** Runs the rounds against a fresh bucket of {@code s3}, mounted at {@code mount}; stops the server after. */
  private static void s3(String name, S3ProxyProcess s3, String mount, byte[] data, SluiceClient client, int rounds,
      String noDrop) throws Exception {
    try (s3) {
      String bucket = "bench-" + mount.substring(1);  // one per mount: mounts of one URI would overlap
      s3.createBucket(bucket);
      URI root = URI.create("s3://" + bucket + "/data");
      client.mount(mount, root, MountOptions.defaults().withOptions(s3.options()));
      try (UnderFileSystem ufs = UfsRegistry.load().create(root, s3.options())) {
        run(name, ufs, mount, client, data, rounds, noDrop);
      }
    }
  }

  private static void run(String name, UnderFileSystem ufs, String mount, SluiceClient client, byte[] data,
      int rounds, String noDrop) throws Exception {
    List<Double> direct = new ArrayList<>();
    List<Double> cold = new ArrayList<>();
    List<Double> warm = new ArrayList<>();
    List<Double> coldListed = new ArrayList<>();
    List<Double> directDisk = new ArrayList<>();
    List<Double> coldDisk = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      String file = "f-" + r + ".bin";
      write(ufs, file, data);
      direct.add(time(data.length, () -> ufs.open(UfsPath.parse(file), 0, -1)));
      cold.add(time(data.length, () -> client.open(mount + "/" + file)));
      warm.add(time(data.length, () -> client.open(mount + "/" + file)));
      // As a job reads its input: the directory listed first (untimed, as a job's planning is), so Sluice knows the
      // file's metadata and the cold read is the data's alone. A directory per round: a listed directory is fresh
      // for the sync interval, so a file added to it behind Sluice's back would not be seen before that.
      String listedDir = "listed-" + r;
      write(ufs, listedDir + "/f.bin", data);
      client.listStatus(mount + "/" + listedDir);
      coldListed.add(time(data.length, () -> client.open(mount + "/" + listedDir + "/f.bin")));
      if (noDrop == null) {
        String diskFile = "disk-" + r + ".bin";
        write(ufs, diskFile, data);
        PageCache.drop();
        directDisk.add(time(data.length, () -> ufs.open(UfsPath.parse(diskFile), 0, -1)));
        PageCache.drop();
        coldDisk.add(time(data.length, () -> client.open(mount + "/" + diskFile)));
        ufs.delete(UfsPath.parse(diskFile), false);
      }
      // Read for good: out of the UFS, so S3Proxy's in-memory store (its heap) holds one round's files at a time.
      ufs.delete(UfsPath.parse(file), false);
      ufs.delete(UfsPath.parse(listedDir), true);
    }
    double d = median(direct);
    double c = median(cold);
    double w = median(warm);
    double l = median(coldListed);
    System.out.printf("%-11s %4d MiB: direct from the UFS %8.1f MiB/s | Sluice cold %8.1f MiB/s "
        + "(%.2fx the direct time) "
        + "| Sluice warm %8.1f MiB/s (%.2fx faster than cold)%n", name, data.length >> 20, d, c, d / c, w, w / c);
    System.out.printf("%-11s %4d MiB: Sluice cold after a listing of its directory %8.1f MiB/s "
        + "(%.2fx the direct time)%n",
        name, data.length >> 20, l, d / l);
    if (noDrop == null) {
      double dd = median(directDisk);
      double cd = median(coldDisk);
      System.out.printf("%-11s %4d MiB: from the disk (page cache dropped): direct %8.1f MiB/s | Sluice cold %8.1f "
          + "MiB/s (%.2fx the direct time)%n", name, data.length >> 20, dd, cd, dd / cd);
    } else {
      System.out.printf("%-11s %4d MiB: no read from the disk: %s%n", name, data.length >> 20, noDrop);
    }
  }

  /** Writes a test file into the UFS and onto the disk (see {@link PageCache#writeBack}), untimed. */
  private static void write(UnderFileSystem ufs, String file, byte[] data) throws IOException, InterruptedException {
    try (UfsOutputStream out = ufs.create(UfsPath.parse(file), true)) {
      out.write(data);
    }
    PageCache.writeBack();
  }

  interface Opener {
    InputStream open() throws IOException;
  }

  /** Reads the whole stream, checks its length, returns MiB/s. */
  private static double time(long expected, Opener opener) throws IOException {
    byte[] buf = new byte[BUFFER];
    long start = System.nanoTime();
    long n = 0;
    try (InputStream in = opener.open()) {
      for (int k; (k = in.read(buf)) > 0; ) {
        n += k;
      }
    }
    long nanos = System.nanoTime() - start;
    if (n != expected) {
      throw new IllegalStateException("read " + n + " bytes, expected " + expected);
    }
    return n / (1024.0 * 1024.0) / (nanos / 1e9);
  }

  private static double median(List<Double> xs) {
    double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a[a.length / 2];
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var s = Files.walk(dir)) {
      for (Path p : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
