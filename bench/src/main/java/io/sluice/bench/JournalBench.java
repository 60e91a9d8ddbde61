package io.sluice.bench;

import io.sluice.client.SluiceClient;
import io.sluice.common.conf.SluiceConf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a journaled metadata call costs with and without the journal's disk sync ({@code sluice.master.journal.sync}),
 * beside what it is made of: a sole master of each kind in this JVM, both up at once, their directories on the same
 * disk, and one client each doing create+close, mkdir and delete (four journaled calls) in rounds that alternate
 * between the two (ABBA), so that the JIT's warming and the machine's drift, which favour whatever runs later, fall
 * on both alike; the second half of the rounds is reported. Beside them: a 4 KiB append with {@code fdatasync} in the
 * same directory (what the sync costs on this disk) and a round trip of Sluice's RPC framework (the floor of any
 * call).
 *
 * <p>Usage: {@code JournalBench [rounds] [files-per-round]}, default {@code 16 500}.
 */
public final class JournalBench {
  private static final int CALLS_PER_FILE = 4;

  private JournalBench() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 16;
    int files = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    Path dir = Files.createTempDirectory("sluice-journalbench");
    System.out.printf("journal bench: %d rounds of %d files (%d journaled calls each), sole masters, %d cores%n",
        rounds, files, CALLS_PER_FILE, Runtime.getRuntime().availableProcessors());
    try (InJvmMasters synced = new InJvmMasters(dir.resolve("sync"), 1, List.of());
        InJvmMasters unsynced = new InJvmMasters(dir.resolve("nosync"), 1,
            List.of("sluice.master.journal.sync=false"));
        SluiceClient a = connect(synced);
        SluiceClient b = connect(unsynced)) {
      a.mkdir("/j", false);
      b.mkdir("/j", false);
      List<Double> syncUs = new ArrayList<>();
      List<Double> noSyncUs = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        boolean syncFirst = round % 2 == 0;
        for (int k = 0; k < 2; k++) {
          boolean sync = syncFirst == (k == 0);
          double us = round(sync ? a : b, round, files);
          System.out.printf("round %2d  %-16s %8.0f us per journaled call%n", round,
              sync ? "sync" : "sync=false", us);
          if (round >= rounds / 2) {
            (sync ? syncUs : noSyncUs).add(us);
          }
        }
      }
      double fsync = fdatasyncUs(dir.resolve("fsync-probe"), 2000);
      PhaseResult echo = RpcEchoCeiling.run(1, 5000);
      double s = median(syncUs);
      double n = median(noSyncUs);
      System.out.println();
      System.out.printf("journaled call, sync (default):      %6.0f us (median of the last %d rounds)%n", s,
          syncUs.size());
      System.out.printf("journaled call, journal.sync=false:  %6.0f us  (%.2fx the calls per second)%n", n, s / n);
      System.out.printf("4 KiB append + fdatasync, same disk: %6.0f us (mean of 2000)%n", fsync);
      System.out.printf("rpc echo (floor):                    %6.0f us (p50)%n", echo.p50Nanos() / 1e3);
    } finally {
      MetaBench.deleteTree(dir);
    }
  }

  private static SluiceClient connect(InJvmMasters masters) {
    return SluiceClient.connect(SluiceConf.defaults().with("sluice.master.addresses", masters.addresses()));
  }

  /** Mean time of one journaled call over a round of {@code files} create+close, mkdir and delete. */
  private static double round(SluiceClient c, int round, int files) throws IOException {
    long start = System.nanoTime();
    for (int i = 0; i < files; i++) {
      c.create("/j/f" + round + "_" + i).close();
      c.mkdir("/j/d" + round + "_" + i, false);
      c.delete("/j/d" + round + "_" + i, false);
    }
    return (System.nanoTime() - start) / 1e3 / ((double) files * CALLS_PER_FILE);
  }

  private static double fdatasyncUs(Path file, int n) throws IOException {
    ByteBuffer page = ByteBuffer.allocateDirect(4096);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        ch.write(page.clear());
        ch.force(false);
      }
      return (System.nanoTime() - start) / 1e3 / n;
    }
  }

  private static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    return v.length == 0 ? Double.NaN : v[v.length / 2];
  }
}
