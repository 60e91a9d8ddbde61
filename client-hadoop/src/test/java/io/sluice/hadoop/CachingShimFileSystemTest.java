package io.sluice.hadoop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.MountOptions;
import io.sluice.client.SluiceClient;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.proto.BlockInfo;
import io.sluice.common.testing.FreePort;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StorageStatistics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CachingShimFileSystem} standing in for {@code file://}, over a local directory mounted in the live test
 * cluster. The proof that a read went through Sluice: once the file is cached, its bytes are changed in the UFS
 * behind Sluice's back (same length, same inode, same mtime, and a mount that never re-syncs), so a read through
 * Sluice still gives the old bytes while a direct read gives the new ones.
 */
class CachingShimFileSystemTest {
  private static final String MOUNT = "/shim-mnt";

  @TempDir
  java.nio.file.Path tmp;
  private java.nio.file.Path ufs;
  private java.nio.file.Path outside;
  private SluiceClient client;

  @BeforeEach
  void mount() throws IOException {
    ufs = Files.createDirectories(tmp.resolve("ufs"));
    outside = Files.createDirectories(tmp.resolve("outside"));
    client = SluiceClient.connect(SluiceConf.defaults().with("sluice.master.addresses",
        MiniSluiceCluster.get().hadoopConf().get("sluice.master.addresses")));
    client.mount(MOUNT, ufs.toUri(), MountOptions.defaults().withSyncInterval(MountOptions.NEVER));
  }

  @AfterEach
  void unmount() throws IOException {
    try {
      client.unmount(MOUNT);
    } finally {
      client.close();
    }
  }

  /** Hadoop's configuration with the shim as {@code file://}, uncached so each test gets its own instance. */
  private static Configuration shimConf(String masters) {
    Configuration conf = new Configuration();
    conf.set("fs.file.impl", CachingShimFileSystem.class.getName());
    conf.setBoolean("fs.file.impl.disable.cache", true);
    conf.set("sluice.master.addresses", masters);
    return conf;
  }

  private static Configuration shimConf() {
    return shimConf(MiniSluiceCluster.get().hadoopConf().get("sluice.master.addresses"));
  }

  @Test
  void readsUnderAMountComeFromTheCacheEverythingElseDirect() throws Exception {
    byte[] data = random(300_000, 1);
    java.nio.file.Path file = ufs.resolve("dir/data.bin");
    Files.createDirectories(file.getParent());
    Files.write(file, data);
    java.nio.file.Path plain = outside.resolve("plain.bin");
    Files.write(plain, random(1000, 2));

    try (FileSystem local = FileSystem.get(URI.create("file:///"), shimConf())) {
      assertInstanceOf(CachingShimFileSystem.class, local);
      Path viaShim = new Path(file.toUri());

      long sluiceBytes = sluiceBytesRead();
      assertArrayEquals(data, read(local, viaShim));
      assertEquals(data.length, sluiceBytesRead() - sluiceBytes, "the read went through sluice://");
      awaitCached(MOUNT + "/dir/data.bin");

      byte[] changed = changeBehindSluicesBack(file);
      assertArrayEquals(data, read(local, viaShim), "served from Sluice's cache: the old bytes");
      assertArrayEquals(changed, Files.readAllBytes(file));

      FileStatus status = local.getFileStatus(viaShim);
      assertEquals(local.makeQualified(viaShim), status.getPath(), "statuses carry the caller's path");
      assertEquals(data.length, status.getLen());
      FileStatus[] listed = local.listStatus(new Path(ufs.resolve("dir").toUri()));
      assertEquals(List.of(local.makeQualified(viaShim)), Arrays.stream(listed).map(FileStatus::getPath).toList());
      try (FSDataInputStream in = local.openFile(viaShim).build().get()) {
        byte[] head = new byte[10];
        in.readFully(head);
        assertArrayEquals(Arrays.copyOf(data, 10), head, "openFile() takes the same route");
      }

      sluiceBytes = sluiceBytesRead();
      assertArrayEquals(Files.readAllBytes(plain), read(local, new Path(plain.toUri())));
      assertEquals(0, sluiceBytesRead() - sluiceBytes, "outside every mount: read directly");
    }
  }

  @Test
  void writesGoToTheOriginalAndAreReadableAtOnce() throws Exception {
    Path created = new Path(ufs.resolve("new.txt").toUri());
    try (FileSystem local = FileSystem.get(URI.create("file:///"), shimConf())) {
      // Sluice lists the mount root now, so the file written next is one it has never seen.
      assertEquals(0, local.listStatus(new Path(ufs.toUri())).length);
      try (FSDataOutputStream out = local.create(created)) {
        out.write(new byte[] {1, 2, 3});
      }
      assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(ufs.resolve("new.txt")), "written to the UFS");
      assertEquals(3, local.getFileStatus(created).getLen(), "unknown to Sluice: looked up directly");
      assertArrayEquals(new byte[] {1, 2, 3}, read(local, created));
      assertTrue(local.delete(created, false));
      assertFalse(Files.exists(ufs.resolve("new.txt")));
    }
  }

  @Test
  void anUnreachableSluiceLeavesEverythingToTheOriginal() throws Exception {
    java.nio.file.Path file = ufs.resolve("data.bin");
    Files.write(file, random(5000, 3));
    Configuration conf = shimConf("127.0.0.1:" + FreePort.pick());
    conf.set("sluice.user.master.retry.budget", "1s");
    conf.set("sluice.rpc.connect.timeout", "500ms");
    try (FileSystem local = FileSystem.get(URI.create("file:///"), conf)) {
      long sluiceBytes = sluiceBytesRead();
      assertArrayEquals(Files.readAllBytes(file), read(local, new Path(file.toUri())));
      assertEquals(0, sluiceBytesRead() - sluiceBytes);
      assertTrue(local.toString().contains("uncached"), local.toString());
    }
  }

  @Test
  void aMissingPathIsMissingOnBothRoutes() throws Exception {
    try (FileSystem local = FileSystem.get(URI.create("file:///"), shimConf())) {
      Path missing = new Path(ufs.resolve("missing.bin").toUri());
      assertFalse(local.exists(missing));
      org.junit.jupiter.api.Assertions.assertThrows(FileNotFoundException.class, () -> local.open(missing));
    }
  }

  /**
   * Overwrites the file's bytes in place (same inode and length) and puts its mtime back, so nothing Sluice could
   * fingerprint changed. Returns the new bytes.
   */
  private static byte[] changeBehindSluicesBack(java.nio.file.Path file) throws IOException {
    FileTime mtime = Files.getLastModifiedTime(file);
    byte[] changed = random((int) Files.size(file), 99);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(changed), 0);
    }
    Files.setLastModifiedTime(file, mtime);
    assertEquals(mtime, Files.getLastModifiedTime(file), "the mtime is back to the nanosecond");
    return changed;
  }

  /** Polls (read-through caches the block in the background) until every block has a worker caching it. */
  private void awaitCached(String path) throws Exception {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (true) {
      List<BlockInfo> blocks = client.getBlockLocations(path);
      if (!blocks.isEmpty() && blocks.stream().allMatch(b -> b.getLocationsCount() > 0)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(path + " was not cached: " + blocks);
      }
      Thread.sleep(50);
    }
  }

  private static long sluiceBytesRead() {
    StorageStatistics stats = FileSystem.getGlobalStorageStatistics().get(SluiceFileSystem.SCHEME);
    return stats == null ? 0 : stats.getLong("bytesRead");
  }

  private static byte[] read(FileSystem fs, Path p) throws IOException {
    try (InputStream in = fs.open(p)) {
      return in.readAllBytes();
    }
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

}
