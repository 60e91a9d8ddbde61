package io.sluice.bench;

import io.sluice.client.SluiceClient;
import io.sluice.common.conf.SluiceConf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Metadata benchmark (issue: master). N client threads do create (create + close: two journaled RPCs), stat,
 * list (a 100-entry directory, one page), rename and delete against 1 and 3 real masters in this JVM, then the same
 * threads do raw RocksDB puts and gets (the ceiling the issue names) and no-op round trips of Sluice's RPC
 * framework (the floor under any remote call). Prints ops/s and p50/p99 per operation and the ratios the issue
 * sets targets for. Everything shares this machine's cores, clients included, as a single-host cluster would.
 *
 * <p>Usage: {@code MetaBench [threads] [ops-per-thread] [masters,...]}, default {@code 4 5000 1,3}.
 */
public final class MetaBench {
  private MetaBench() {}

  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 4;
    int perThread = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
    String[] groups = (args.length > 2 ? args[2] : "1,3").split(",");
    Path dir = Files.createTempDirectory("sluice-metabench");
    try {
      System.out.printf("Sluice metadata bench: %d threads, %d ops per thread per operation, %d cores%n", threads,
          perThread, Runtime.getRuntime().availableProcessors());
      List<PhaseResult> all = new ArrayList<>();
      for (String g : groups) {
        int masters = Integer.parseInt(g.trim());
        try (InJvmMasters cluster = new InJvmMasters(dir.resolve(masters + "-masters"), masters, List.of())) {
          all.addAll(runAgainst(cluster, masters, threads, perThread));
        }
      }
      PhaseResult[] ceiling = RocksCeiling.run(dir.resolve("rocks"), threads, perThread);
      PhaseResult echo = RpcEchoCeiling.run(threads, perThread);
      PhaseResult[] small = SmallFilesBench.run(dir.resolve("small-files"), threads, perThread);
      System.out.println();
      System.out.println(PhaseResult.header());
      for (PhaseResult r : all) {
        System.out.println(r.row());
      }
      System.out.println(ceiling[0].row());
      System.out.println(ceiling[1].row());
      System.out.println(echo.row());
      System.out.println(small[0].row());
      System.out.println(small[1].row());
      System.out.println();
      for (PhaseResult r : all) {
        if (r.name().startsWith("stat")) {
          System.out.printf("%s / rocksdb get = %.3f (target >= 0.5); / rpc echo = %.3f%n", r.name(),
              r.opsPerSecond() / ceiling[1].opsPerSecond(), r.opsPerSecond() / echo.opsPerSecond());
        }
      }
      System.out.printf("small files, 1 master / /dev/shm = %.4f%n", small[0].opsPerSecond() / small[1].opsPerSecond());
      PhaseResult create1 = find(all, "create+close, 1 master");
      PhaseResult create3 = find(all, "create+close, 3 masters");
      if (create1 != null && create3 != null) {
        System.out.printf("create 3 masters / 1 master = %.3f%n", create3.opsPerSecond() / create1.opsPerSecond());
      }
    } finally {
      deleteTree(dir);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static PhaseResult find(List<PhaseResult> all, String name) {
    return all.stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
  }

  private static List<PhaseResult> runAgainst(InJvmMasters cluster, int masters, int threads, int perThread)
      throws Exception {
    String suffix = ", " + masters + (masters == 1 ? " master" : " masters");
    SluiceConf conf = SluiceConf.defaults().with("sluice.master.addresses", cluster.addresses());
    SluiceClient[] clients = new SluiceClient[threads];
    for (int t = 0; t < threads; t++) {
      clients[t] = SluiceClient.connect(conf);
    }
    try {
      SluiceClient c0 = clients[0];
      c0.mkdir("/list", true);
      for (int i = 0; i < 100; i++) {
        c0.create("/list/f" + i).close();
      }
      for (int t = 0; t < threads; t++) {
        c0.mkdir("/t" + t, true);
      }
      // Warm up connections, JIT and the leader's caches, reads and journaled calls; not measured.
      Phase.run("warmup", threads, Math.min(perThread, 500), (t, i) -> clients[t].getStatus("/list/f" + (i % 100)));
      Phase.run("warmup", threads, Math.min(perThread, 500), (t, i) -> {
        clients[t].create("/t" + t + "/warm" + i).close();
        clients[t].delete("/t" + t + "/warm" + i, false);
      });
      List<PhaseResult> out = new ArrayList<>();
      out.add(Phase.run("create+close" + suffix, threads, perThread,
          (t, i) -> clients[t].create("/t" + t + "/f" + i).close()));
      SplittableRandom seeds = new SplittableRandom(7);
      SplittableRandom[] rnd = new SplittableRandom[threads];
      for (int t = 0; t < threads; t++) {
        rnd[t] = seeds.split();
      }
      out.add(Phase.run("stat" + suffix, threads, perThread,
          (t, i) -> clients[t].getStatus("/t" + t + "/f" + rnd[t].nextInt(perThread))));
      out.add(Phase.run("list 100" + suffix, threads, Math.max(1, perThread / 10),
          (t, i) -> clients[t].listStatusAll("/list")));
      out.add(Phase.run("rename" + suffix, threads, perThread,
          (t, i) -> clients[t].rename("/t" + t + "/f" + i, "/t" + t + "/r" + i)));
      out.add(Phase.run("delete" + suffix, threads, perThread,
          (t, i) -> clients[t].delete("/t" + t + "/r" + i, false)));
      return out;
    } finally {
      for (SluiceClient c : clients) {
        if (c != null) {
          c.close();
        }
      }
    }
  }
}
