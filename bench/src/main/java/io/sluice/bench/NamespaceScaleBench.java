package io.sluice.bench;

import io.sluice.client.SluiceClient;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.proto.FileType;
import io.sluice.master.MasterServer;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.store.NamespaceStore;
import io.sluice.master.store.StoreBatch;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Namespace scale (issue: master): bulk-loads N files offline into a master's RocksDB (1,000 per directory), then
 * starts a real master on it and reports the time until it serves, the heap it holds after a full GC, the size of
 * RocksDB, and stat throughput/latency with 4 client threads; the same for a 10,000-file namespace beside it.
 *
 * <p>Usage: {@code NamespaceScaleBench [files] [stats-per-thread]}, default {@code 1000000 5000}.
 */
public final class NamespaceScaleBench {
  private static final int PER_DIR = 1000;
  private static final int THREADS = 4;

  private NamespaceScaleBench() {}

  public static void main(String[] args) throws Exception {
    long files = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
    int stats = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
    Path dir = Files.createTempDirectory("sluice-scalebench");
    try {
      System.out.printf("Sluice namespace scale bench: %d cores, max heap %d MiB%n",
          Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
      System.out.printf("%-10s %10s %12s %12s %12s %12s %10s %10s%n", "files", "load s", "start ms", "heap MiB",
          "rocksdb MiB", "stat ops/s", "p50 us", "p99 us");
      for (long n : new long[] {10_000, files}) {
        run(dir.resolve("n" + n), n, stats);
      }
    } finally {
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static void run(Path dir, long files, int stats) throws Exception {
    long loadStart = System.nanoTime();
    long dirs = load(dir.resolve("metastore"), files);
    double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
    long rocksBytes = size(dir.resolve("metastore"));
    int port = freePort();
    SluiceConf conf = SluiceConf.defaults().with("sluice.master.addresses", "127.0.0.1:" + port)
        .with("sluice.master.host", "127.0.0.1").with("sluice.master.rpc.port", Integer.toString(port))
        .with("sluice.master.raft.port", Integer.toString(freePort())).with("sluice.master.dir", dir.toString());
    System.gc();
    long heapBefore = usedHeap();
    long start = System.nanoTime();
    try (MasterServer master = new MasterServer(conf).start()) {
      System.out.println("master serving at " + master.rpcAddress());
      SluiceClient[] clients = new SluiceClient[THREADS];
      try {
        for (int t = 0; t < THREADS; t++) {
          clients[t] = SluiceClient.connect(conf);
        }
        clients[0].getStatus("/load/d0/f0");
        double startMs = (System.nanoTime() - start) / 1e6;
        SplittableRandom seeds = new SplittableRandom(11);
        SplittableRandom[] rnd = new SplittableRandom[THREADS];
        for (int t = 0; t < THREADS; t++) {
          rnd[t] = seeds.split();
        }
        Phase.run("warmup", THREADS, 500, (t, i) -> clients[t].getStatus("/load/d0/f" + (i % PER_DIR)));
        PhaseResult r = Phase.run("stat", THREADS, stats, (t, i) -> {
          long f = rnd[t].nextLong(files);
          clients[t].getStatus("/load/d" + (f / PER_DIR) + "/f" + (f % PER_DIR));
        });
        System.gc();
        long heap = Math.max(0, usedHeap() - heapBefore);
        System.out.printf("%-10d %10.1f %12.0f %12d %12d %12.0f %10.1f %10.1f%n", files, loadSeconds, startMs,
            heap >> 20, rocksBytes >> 20, r.opsPerSecond(), r.p50Nanos() / 1e3, r.p99Nanos() / 1e3);
      } finally {
        for (SluiceClient c : clients) {
          if (c != null) {
            c.close();
          }
        }
      }
    }
    if (dirs == 0) {
      throw new IllegalStateException("nothing loaded");
    }
  }

  /** Writes /load/dK/fJ offline, {@value #PER_DIR} files per directory; returns the number of directories. */
  private static long load(Path metastore, long files) throws IOException {
    try (NamespaceStore store = NamespaceStore.open(metastore, System.getProperty("user.name"))) {
      long id = store.nextInodeId();
      long loadDir = id++;
      String owner = System.getProperty("user.name");
      StoreBatch b = store.newBatch();
      b.insertInode(dirRecord(loadDir, NamespaceStore.ROOT_ID, "load", owner));
      b.putEdge(NamespaceStore.ROOT_ID, "load", loadDir);
      long dirs = (files + PER_DIR - 1) / PER_DIR;
      long written = 0;
      for (long d = 0; d < dirs; d++) {
        long dirId = id++;
        b.insertInode(dirRecord(dirId, loadDir, "d" + d, owner));
        b.putEdge(loadDir, "d" + d, dirId);
        for (int f = 0; f < PER_DIR && written < files; f++, written++) {
          long fileId = id++;
          b.insertInode(InodeRecord.newBuilder().setId(fileId).setParentId(dirId).setName("f" + f)
              .setType(FileType.FILE).setMode(0644).setOwner(owner).setGroup(owner).setNlink(1)
              .setBlockSize(64 << 20).setReplicas(1).setComplete(true).setMtimeMs(1).setAtimeMs(1).setCtimeMs(1)
              .build());
          b.putEdge(dirId, "f" + f, fileId);
        }
        if (d % 10 == 9) {
          store.importOffline(b);
          b.close();
          b = store.newBatch();
        }
      }
      store.importOffline(b);
      b.close();
      return dirs;
    }
  }

  private static InodeRecord dirRecord(long id, long parent, String name, String owner) {
    return InodeRecord.newBuilder().setId(id).setParentId(parent).setName(name).setType(FileType.DIRECTORY)
        .setMode(0755).setOwner(owner).setGroup(owner).setNlink(2).setMtimeMs(1).setAtimeMs(1).setCtimeMs(1).build();
  }

  private static long usedHeap() {
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  private static long size(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
