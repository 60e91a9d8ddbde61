package io.sluice.tests.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceOutputStream;
import io.sluice.common.metrics.Scrape;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spliced reads on a real mount ({@code sluice.fuse.splice}): with one thread serving the mount, reads of blocks on
 * this host reach the reader through the kernel's splice from the block file, and read back exactly what was
 * written, in whole and at random offsets, across block boundaries and after the file is written anew; checked reads
 * too, once checked, and a corrupt block file is not passed on. What went which way is counted on the mount's
 * /metrics.
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
   * The default, checked, with the blocks in a MEM tier (tmpfs): spliced too, once the client checked the bytes
   * through a mapping of the block file; a bit flipped in a block file behind the worker's back (its only copy, no
   * UFS under it) fails the read with EIO rather than reaching the reader. (A disk tier's block files are not mapped:
   * the first test's reads are on one.)
   */
  @Test
  void checkedReadsAreSplicedAndACorruptBlockIsNotPassedOn() throws Exception {
    FuseRequirement.assumeFuse();
    Path shm = Files.createTempDirectory(Path.of("/dev/shm"), "sluice-fuse-splice-test");
    try (FuseCluster cluster = cluster("sluice.worker.tiers", "MEM:" + shm + ":64m")) {
      byte[] data = write(cluster.client(), "/f", 3);
      Path mnt = cluster.mount(dir.resolve("mnt"));
      double before = spliced(cluster);
      assertEquals(sha256(data), ddSha256(mnt.resolve("f"), "128K"));
      assertEquals(SIZE, spliced(cluster) - before, "bytes spliced of a checked 128 KiB read");

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
