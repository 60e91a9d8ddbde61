package io.sluice.tests.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceOutputStream;
import io.sluice.common.metrics.Scrape;
import io.sluice.common.testing.Poll;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spliced reads on a real mount ({@code sluice.fuse.splice}): reads of blocks on this host reach the reader through
 * the kernel's splice from the block file, and read back exactly what was written, in whole and at random offsets,
 * across block boundaries, after the file is written anew and with read threads serving one handle side by side;
 * only where the client does not check them: checked reads are copied, and a corrupt block file is not passed on.
 * What went which way is counted on the mount's /metrics.
 */
class FuseSpliceTest {
  private static final int BLOCK = 1 << 20;
  /** Five and a bit blocks: requests of 96 KiB cross every block boundary, the last block is short. */
  private static final int SIZE = 5 * BLOCK + 12_345;

  @TempDir
  Path dir;

  private FuseCluster cluster(String... conf) throws Exception {
    FuseRequirement.assumeFuse();
    String[] base = {"sluice.user.block.size", Integer.toString(BLOCK), "sluice.fuse.read.threads", "0"};
    String[] all = new String[base.length + conf.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(conf, 0, all, base.length, conf.length);
    return new FuseCluster(dir, all).start();
  }

  private static byte[] write(SluiceClient client, String path, long seed) throws Exception {
    byte[] data = new byte[SIZE];
    new Random(seed).nextBytes(data);
    try (SluiceOutputStream out = client.create(path)) {
      out.write(data);
    }
    return data;
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  /** sha256 of the file as {@code dd} reads it with O_DIRECT in {@code bs} requests: every byte through the daemon. */
  private static String ddSha256(Path file, String bs) throws Exception {
    Shell.Result r = Shell.bash(file.getParent(), "set -o pipefail; dd if=" + file.getFileName() + " iflag=direct bs="
        + bs + " status=none | sha256sum | cut -d' ' -f1");
    assertEquals(0, r.code(), r.toString());
    return r.out().strip();
  }

  private static double spliced(FuseCluster cluster) throws Exception {
    InetSocketAddress http = new InetSocketAddress("127.0.0.1",
        cluster.mounted().httpAddress().orElseThrow().getPort());
    return Scrape.of(http).require("sluice_fuse_read_spliced_bytes_total", "server", "fuse");
  }

  @Test
  void uncheckedLocalBlocksAreSplicedAndReadBackExactly() throws Exception {
    try (FuseCluster cluster = cluster("sluice.user.short.circuit.skip.checksum", "true")) {
      byte[] data = write(cluster.client(), "/f", 1);
      Path mnt = cluster.mount(dir.resolve("mnt"));
      Path f = mnt.resolve("f");

      double before = spliced(cluster);
      assertEquals(sha256(data), ddSha256(f, "128K"));
      // 128 KiB requests never cross a 1 MiB block's end: every byte was spliced.
      assertEquals(SIZE, spliced(cluster) - before, "bytes spliced of a 128 KiB read");

      before = spliced(cluster);
      assertEquals(sha256(data), ddSha256(f, "96K"));
      double crossing = spliced(cluster) - before;
      // A request across a block's end is read and copied instead, so its bytes are not counted.
      assertTrue(crossing > SIZE / 2 && crossing < SIZE, "bytes spliced of a 96 KiB read: " + crossing);

      // Random reads through the page cache, dropped before each: the kernel asks at page offsets, in sizes of its
      // read-ahead, some across a block's end.
      Files.write(dir.resolve("expected"), data);
      Shell.Result r = Shell.bash(mnt, String.join("\n", "python3 - <<'PY'",
          "import os, random",
          "expected = open('" + dir.resolve("expected") + "', 'rb').read()",
          "rnd = random.Random(7)",
          "fd = os.open('f', os.O_RDONLY)",
          "bad = []",
          "for i in range(300):",
          "    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)",
          "    off = rnd.randrange(len(expected))",
          "    n = rnd.randrange(1, 300000)",
          "    if os.pread(fd, n, off) != expected[off:off + n]:",
          "        bad.append((off, n))",
          "os.close(fd)",
          "print(bad)",
          "PY"));
      assertEquals(0, r.code(), r.toString());
      assertEquals("[]", r.out().strip(), "reads that did not return what was written");

      // Written anew through the mount: new blocks, read through a new handle under new leases.
      byte[] again = write(cluster.client(), "/g", 2);
      assertEquals(sha256(again), ddSha256(mnt.resolve("g"), "128K"));
      Shell.Result cp = Shell.bash(mnt, "cp g f && sync");
      assertEquals(0, cp.code(), cp.toString());
      assertEquals(sha256(again), ddSha256(f, "128K"));
    }
  }

  /**
   * With read threads, spliced replies are sent after their callbacks returned while other threads serve the same
   * handles: moving a handle's stream to another block there must not close the descriptor, or end the lease, a
   * reply still names. Six threads of one process read two files through two descriptors at random 4 KiB-aligned
   * offsets with O_DIRECT (each read a READ of up to 128 KiB, some across a block's end), side by side.
   */
  @Test
  void readThreadsSpliceSideBySideAndReadBackExactly() throws Exception {
    try (FuseCluster cluster = cluster("sluice.user.short.circuit.skip.checksum", "true",
        "sluice.fuse.read.threads", "2", "sluice.worker.http.port", "0")) {
      byte[] f = write(cluster.client(), "/f", 4);
      byte[] g = write(cluster.client(), "/g", 5);
      Files.write(dir.resolve("f.expected"), f);
      Files.write(dir.resolve("g.expected"), g);
      Path mnt = cluster.mount(dir.resolve("mnt"));
      assertEquals(3, cluster.mounted().loopThreads());
      cluster.mounted().takePeakReadsInFlight();
      double before = spliced(cluster);
      Shell.Result r = Shell.bash(mnt, String.join("\n", "python3 - <<'PY'",
          "import mmap, os, random, threading",
          "expected = {n: open('" + dir + "/' + n + '.expected', 'rb').read() for n in ('f', 'g')}",
          "fds = {n: os.open(n, os.O_RDONLY | os.O_DIRECT) for n in expected}",
          "bad = []",
          "def reader(name, seed):",
          "    rnd = random.Random(seed)",
          "    buf = mmap.mmap(-1, 131072)",
          "    data = expected[name]",
          "    for i in range(400):",
          "        off = rnd.randrange(len(data) // 4096) * 4096",
          "        n = os.preadv(fds[name], [buf], off)",
          "        want = data[off:off + 131072]",
          "        if n != len(want) or buf[:n] != want:",
          "            bad.append((name, off, n))",
          "ts = [threading.Thread(target=reader, args=(n, s)) for s, n in enumerate('fgfgfg')]",
          "for t in ts: t.start()",
          "for t in ts: t.join()",
          "print(bad[:5], len(bad))",
          "PY"));
      assertEquals(0, r.code(), r.toString());
      assertEquals("[] 0", r.out().strip(), "reads that did not return what was written");
      assertTrue(cluster.mounted().takePeakReadsInFlight() >= 2, "reads were served side by side");
      assertTrue(spliced(cluster) - before > SIZE, "bytes spliced: " + (spliced(cluster) - before));
      // The readers closed their files: every lease ends once the replies holding it have gone (nothing leaks).
      InetSocketAddress workerHttp = new InetSocketAddress("127.0.0.1",
          cluster.worker().httpAddress().orElseThrow().getPort());
      Poll.until("no short-circuit lease left open", Duration.ofSeconds(20),
          () -> Scrape.of(workerHttp).require("sluice_worker_short_circuit_leases") == 0);
      assertEquals(sha256(f), ddSha256(mnt.resolve("f"), "128K"));
      assertEquals(3, cluster.mounted().loopThreads(), "no thread started or lost");
    }
  }

  /**
   * The default, checked, with the blocks in a MEM tier (tmpfs): copied through the mount, never spliced (a spliced
   * byte never reaches the client, which must check it), and read back exactly; a bit flipped in a block file behind
   * the worker's back (its only copy, no UFS under it) fails the read with EIO rather than reaching the reader.
   */
  @Test
  void checkedReadsAreCopiedAndACorruptBlockIsNotPassedOn() throws Exception {
    FuseRequirement.assumeFuse();
    Path shm = Files.createTempDirectory(Path.of("/dev/shm"), "sluice-fuse-splice-test");
    try (FuseCluster cluster = cluster("sluice.worker.tiers", "MEM:" + shm + ":64m")) {
      byte[] data = write(cluster.client(), "/f", 3);
      Path mnt = cluster.mount(dir.resolve("mnt"));
      double before = spliced(cluster);
      assertEquals(sha256(data), ddSha256(mnt.resolve("f"), "128K"));
      assertEquals(0, spliced(cluster) - before, "bytes spliced of a checked read");

      long id = cluster.client().getStatus("/f").getBlocks(2).getBlockId();
      Path victim;
      try (Stream<Path> files = Files.list(shm.resolve("blocks"))) {
        victim = files.filter(p -> p.getFileName().toString().startsWith(id + ".")).findFirst().orElseThrow();
      }
      try (FileChannel c = FileChannel.open(victim, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        ByteBuffer one = ByteBuffer.allocate(1);
        c.read(one, 1000);
        one.put(0, (byte) (one.get(0) ^ 0x04)).rewind();
        c.write(one, 1000);
      }
      Shell.Result r = Shell.bash(mnt, "dd if=f iflag=direct bs=128K status=none of=/dev/null");
      assertTrue(r.code() != 0 && r.err().contains("Input/output error"), r.toString());
    } finally {
      try (Stream<Path> files = Files.walk(shm)) {
        for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(f);
        }
      }
    }
  }
}
