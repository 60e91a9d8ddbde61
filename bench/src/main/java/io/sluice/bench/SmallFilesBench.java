package io.sluice.bench;

import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Small files written through the Java client (create, 4 KiB, close: the master's create and complete and one block
 * on a worker whose MEM tier is in {@code /dev/shm}), beside the same files written to {@code /dev/shm} directly,
 * from the same number of threads.
 */
final class SmallFilesBench {
  private static final int FILE_BYTES = 4096;

  private SmallFilesBench() {}

  /** @return Sluice's phase, then the local files' */
  static PhaseResult[] run(Path dir, int threads, int perThread) throws Exception {
    byte[] data = new byte[FILE_BYTES];
    Path shm = Files.createTempDirectory(Path.of("/dev/shm"), "sluice-smallfiles");
    try (BenchCluster c = new BenchCluster(dir, "MEM:" + shm.resolve("mem") + ":1g")) {
      SluiceClient[] clients = new SluiceClient[threads];
      for (int t = 0; t < threads; t++) {
        clients[t] = c.client();
        clients[t].mkdir("/s" + t, true);
      }
      try {
        // Warm up connections, JIT and the worker's pooled block files; not measured.
        Phase.run("warmup", threads, Math.min(perThread, 300),
            (t, i) -> write(clients[t], "/s" + t + "/w" + i, data));
        PhaseResult sluice = Phase.run("small files, 1 master", threads, perThread,
            (t, i) -> write(clients[t], "/s" + t + "/f" + i, data));
        Path local = Files.createDirectories(shm.resolve("local"));
        PhaseResult ceiling = Phase.run("small files, /dev/shm (ceil.)", threads, perThread, (t, i) -> {
          try (OutputStream out = Files.newOutputStream(local.resolve(t + "-" + i))) {
            out.write(data);
          }
        });
        return new PhaseResult[] {sluice, ceiling};
      } finally {
        for (SluiceClient client : clients) {
          if (client != null) {
            client.close();
          }
        }
      }
    } finally {
      MetaBench.deleteTree(shm);
    }
  }

  private static void write(SluiceClient client, String path, byte[] data) throws Exception {
    try (SluiceOutputStream out = client.create(path)) {
      out.write(data);
    }
  }
}
