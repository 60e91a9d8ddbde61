package io.sluice.hadoop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.MountOptions;
import io.sluice.client.SluiceClient;
import io.sluice.common.conf.SluiceConf;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.PrivilegedExceptionAction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.HadoopIllegalArgumentException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.CommonPathCapabilities;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FsStatus;
import org.apache.hadoop.fs.ParentNotDirectoryException;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.PathIsNotEmptyDirectoryException;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.fs.XAttrSetFlag;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.security.AccessControlException;
import org.apache.hadoop.security.UserGroupInformation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SluiceFileSystem} against a real in-JVM master and worker: operations, errors, big listings, blocks. */
class SluiceFileSystemTest {
  private static final String ME = System.getProperty("user.name");
  private static FileSystem fs;

  @BeforeAll
  static void connect() throws IOException {
    MiniSluiceCluster cluster = MiniSluiceCluster.get();
    Configuration conf = cluster.hadoopConf();
    conf.set("sluice.user.block.size", "1m");
    conf.set("sluice.user.name", ME);
    fs = FileSystem.newInstance(cluster.uri(), conf);
    fs.delete(new Path("/direct"), true);
    fs.mkdirs(new Path("/direct"));
  }

  @AfterAll
  static void close() throws IOException {
    fs.delete(new Path("/direct"), true);
    fs.close();
  }

  private static Path path(String name) {
    return new Path("/direct/" + name);
  }

  private static void write(FileSystem f, Path p, byte[] data) throws IOException {
    try (FSDataOutputStream out = f.create(p, false)) {
      out.write(data);
    }
  }

  /** {@code n} bytes of a repeatable pattern that differs per {@code seed}. */
  private static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] read(FileSystem f, Path p) throws IOException {
    try (FSDataInputStream in = f.open(p)) {
      return in.readAllBytes();
    }
  }

  @Test
  void schemeIsRegisteredThroughTheServiceLoader() throws IOException {
    assertEquals(SluiceFileSystem.class, FileSystem.getFileSystemClass("sluice", new Configuration()));
    assertInstanceOf(SluiceFileSystem.class, fs);
    assertEquals(MiniSluiceCluster.get().uri(), fs.getUri());
  }

  @Test
  void aUriWithoutAuthorityUsesTheConfiguredMasters() throws IOException {
    Configuration conf = MiniSluiceCluster.get().hadoopConf();
    // Else Hadoop itself swaps sluice:/// for the default file system's URI, authority and all.
    conf.unset("fs.defaultFS");
    try (FileSystem f = FileSystem.newInstance(URI.create("sluice:///"), conf)) {
      assertEquals(URI.create("sluice:///"), f.getUri());
      assertTrue(f.getFileStatus(new Path("/direct")).isDirectory());
      assertTrue(f.exists(new Path("sluice:///direct")));
    }
  }

  @Test
  void aBadSluiceValueFailsInitializationNamingTheKey() {
    Configuration conf = MiniSluiceCluster.get().hadoopConf();
    conf.set("sluice.user.replicas", "99");
    IOException e = assertThrows(IOException.class, () -> FileSystem.newInstance(MiniSluiceCluster.get().uri(), conf));
    assertTrue(e.getMessage().contains("sluice.user.replicas"), e.getMessage());
  }

  @Test
  void createWritesAFileWhoseStatusCarriesItsAttributes() throws IOException {
    Path p = path("attrs/nested/file");
    byte[] data = "hello sluice".getBytes(StandardCharsets.UTF_8);
    long before = System.currentTimeMillis();
    try (FSDataOutputStream out = fs.create(p, new FsPermission((short) 0640), false, 4096, (short) 1, 128 * 1024,
        null)) {
      out.write(data);
    }
    assertArrayEquals(data, read(fs, p));
    FileStatus st = fs.getFileStatus(p);
    assertEquals(data.length, st.getLen());
    assertTrue(st.isFile());
    assertEquals(1, st.getReplication());
    assertEquals(128 * 1024, st.getBlockSize());
    assertEquals((short) 0640, st.getPermission().toShort());
    assertEquals(ME, st.getOwner());
    assertFalse(st.getGroup().isEmpty());
    assertTrue(st.getModificationTime() >= before - 5_000, "mtime " + st.getModificationTime());
    assertEquals(fs.makeQualified(p), st.getPath());
    // Parents were created, as HDFS does.
    assertTrue(fs.getFileStatus(path("attrs/nested")).isDirectory());
  }

  @Test
  void relativePathsResolveAgainstTheWorkingDirectory() throws IOException {
    assertEquals(fs.makeQualified(new Path("/user/" + ME)), fs.getWorkingDirectory());
    Path old = fs.getWorkingDirectory();
    try {
      fs.setWorkingDirectory(path("wd"));
      fs.mkdirs(new Path("sub"));
      assertTrue(fs.getFileStatus(path("wd/sub")).isDirectory());
    } finally {
      fs.setWorkingDirectory(old);
    }
  }

  @Test
  void errorsAreMappedToHadoopExceptions() throws IOException {
    Path file = path("errors/file");
    Path dir = path("errors/dir");
    write(fs, file, new byte[] {1, 2, 3});
    fs.mkdirs(new Path(dir, "child"));

    assertThrows(FileNotFoundException.class, () -> fs.getFileStatus(path("errors/missing")));
    assertThrows(FileNotFoundException.class, () -> fs.getFileStatus(new Path(file, "below-a-file")));
    assertFalse(fs.exists(new Path(file, "below-a-file")));
    assertThrows(FileNotFoundException.class, () -> fs.open(path("errors/missing")));
    assertThrows(FileNotFoundException.class, () -> fs.open(dir));
    assertThrows(FileNotFoundException.class, () -> fs.listStatus(path("errors/missing")));
    assertThrows(FileNotFoundException.class, () -> fs.listStatusIterator(path("errors/missing")));
    assertThrows(FileAlreadyExistsException.class, () -> fs.create(file, false));
    assertThrows(FileAlreadyExistsException.class, () -> fs.create(dir, true));
    assertThrows(FileAlreadyExistsException.class, () -> fs.mkdirs(file));
    assertThrows(ParentNotDirectoryException.class, () -> fs.mkdirs(new Path(file, "sub")));
    assertThrows(ParentNotDirectoryException.class, () -> fs.create(new Path(file, "sub"), false));
    assertThrows(FileNotFoundException.class,
        () -> fs.createFile(path("errors/no-parent/f")).overwrite(false).build());
    assertThrows(PathIsNotEmptyDirectoryException.class, () -> fs.delete(dir, false));
    assertThrows(IllegalArgumentException.class, () -> fs.setXAttr(file, "no-namespace", new byte[1]));

    assertFalse(fs.delete(path("errors/missing"), true));
    assertTrue(fs.delete(dir, true));
    assertFalse(fs.exists(dir));
  }

  @Test
  void renameFollowsHdfsSemantics() throws IOException {
    Path a = path("rename/a");
    Path b = path("rename/b");
    Path dir = path("rename/dir");
    write(fs, a, new byte[] {1});
    write(fs, b, new byte[] {2});
    fs.mkdirs(dir);

    assertFalse(fs.rename(path("rename/missing"), path("rename/x")), "missing source");
    assertFalse(fs.rename(a, b), "destination is a file");
    assertFalse(fs.rename(a, path("rename/no-parent/a")), "destination parent missing");
    assertFalse(fs.rename(a, new Path(b, "under-a-file")), "destination parent is a file");
    assertTrue(fs.rename(a, a), "a file renamed to itself");

    assertTrue(fs.rename(a, dir), "into an existing directory");
    assertArrayEquals(new byte[] {1}, read(fs, new Path(dir, "a")));
    assertFalse(fs.exists(a));

    write(fs, a, new byte[] {3});
    assertFalse(fs.rename(a, dir), "dir/a already exists");

    assertTrue(fs.rename(b, path("rename/c")));
    assertArrayEquals(new byte[] {2}, read(fs, path("rename/c")));
    assertThrows(IOException.class, () -> fs.rename(path("rename"), path("rename/dir/inside")));
  }

  @Test
  void listsAThreeThousandEntryDirectoryEveryPage() throws Exception {
    Path dir = path("big");
    fs.mkdirs(dir);
    int n = 3_000;
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> made = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Path child = new Path(dir, String.format("e%05d", i));
        made.add(pool.submit(() -> fs.mkdirs(child)));
      }
      for (Future<Boolean> f : made) {
        assertTrue(f.get());
      }
    } finally {
      pool.shutdownNow();
    }

    FileStatus[] all = fs.listStatus(dir);
    assertEquals(n, all.length);
    for (int i = 0; i < n; i++) {
      assertEquals(String.format("e%05d", i), all[i].getPath().getName());
      assertTrue(all[i].isDirectory());
    }
    RemoteIterator<FileStatus> it = fs.listStatusIterator(dir);
    int count = 0;
    while (it.hasNext()) {
      assertEquals(all[count].getPath(), it.next().getPath());
      count++;
    }
    assertEquals(n, count);
    assertTrue(fs.delete(dir, true));
  }

  @Test
  void readsAndWritesAMultiBlockFileWithPositionedReads() throws IOException {
    Path p = path("multiblock");
    int blockSize = 1 << 20;
    byte[] data = new byte[5 * blockSize + 12_345];
    new Random(7).nextBytes(data);
    write(fs, p, data);

    FileStatus st = fs.getFileStatus(p);
    assertEquals(data.length, st.getLen());
    assertEquals(blockSize, st.getBlockSize(), "sluice.user.block.size from the Hadoop configuration");
    assertArrayEquals(data, read(fs, p));

    try (FSDataInputStream in = fs.open(p)) {
      // Across the first block boundary, without moving the position.
      byte[] buf = new byte[4096];
      in.readFully(blockSize - 1000, buf);
      assertArrayEquals(Arrays.copyOfRange(data, blockSize - 1000, blockSize + 3096), buf);
      assertEquals(0, in.getPos());
      // A short positioned read at the end.
      assertEquals(45, in.read(data.length - 45, buf, 0, buf.length));
      assertEquals(-1, in.read(data.length, buf, 0, 1));
      assertThrows(EOFException.class, () -> in.readFully(data.length - 10, new byte[20]));

      // Seek, then sequential reads into heap and direct buffers.
      in.seek(3L * blockSize - 7);
      ByteBuffer direct = ByteBuffer.allocateDirect(100);
      int n = in.read(direct);
      assertTrue(n > 0);
      direct.flip();
      byte[] got = new byte[n];
      direct.get(got);
      assertArrayEquals(Arrays.copyOfRange(data, 3 * blockSize - 7, 3 * blockSize - 7 + n), got);
      ByteBuffer heap = ByteBuffer.allocate(10);
      in.seek(10);
      assertEquals(10, in.read(heap));
      assertArrayEquals(Arrays.copyOfRange(data, 10, 20), heap.array());

      ByteBuffer pread = ByteBuffer.allocateDirect(64);
      in.readFully(2L * blockSize - 32, pread);
      pread.flip();
      byte[] p64 = new byte[64];
      pread.get(p64);
      assertArrayEquals(Arrays.copyOfRange(data, 2 * blockSize - 32, 2 * blockSize + 32), p64);

      assertThrows(EOFException.class, () -> in.seek(data.length + 1L));
      assertThrows(EOFException.class, () -> in.seek(-1));
      in.seek(data.length);
      assertEquals(-1, in.read());
    }

    // Block locations: six blocks (five full, one of 12,345 bytes), each on the one worker.
    BlockLocation[] all = fs.getFileBlockLocations(st, 0, st.getLen());
    assertEquals(6, all.length);
    for (int i = 0; i < all.length; i++) {
      assertEquals((long) i * blockSize, all[i].getOffset());
      assertEquals(i < 5 ? blockSize : 12_345, all[i].getLength());
      assertArrayEquals(new String[] {"127.0.0.1"}, all[i].getHosts());
    }
    BlockLocation[] middle = fs.getFileBlockLocations(st, 2L * blockSize + 1, blockSize);
    assertEquals(2, middle.length, "the range touches blocks 2 and 3");
    assertEquals(2L * blockSize, middle[0].getOffset());
    assertEquals(0, fs.getFileBlockLocations(st, st.getLen(), 10).length);
  }

  @Test
  void permissionsAreEnforcedForASecondUser() throws IOException {
    Path dir = path("perm");
    assertTrue(fs.mkdirs(dir, new FsPermission((short) 0755)));
    assertEquals((short) 0755, fs.getFileStatus(dir).getPermission().toShort());

    Configuration conf = MiniSluiceCluster.get().hadoopConf();
    conf.set("sluice.user.name", MiniSluiceCluster.OTHER_USER);
    try (FileSystem alice = FileSystem.newInstance(MiniSluiceCluster.get().uri(), conf)) {
      assertTrue(alice != fs);
      assertThrows(AccessControlException.class, () -> alice.create(new Path(dir, "denied"), false));
      assertThrows(AccessControlException.class, () -> alice.setPermission(dir, new FsPermission((short) 0777)));

      fs.setPermission(dir, new FsPermission((short) 0777));
      assertEquals((short) 0777, fs.getFileStatus(dir).getPermission().toShort());
      Path hers = new Path(dir, "hers");
      write(alice, hers, new byte[] {42});
      assertEquals(MiniSluiceCluster.OTHER_USER, alice.getFileStatus(hers).getOwner());
      assertThrows(AccessControlException.class, () -> alice.setOwner(hers, ME, null));

      alice.setPermission(hers, new FsPermission((short) 0600));
      assertArrayEquals(new byte[] {42}, read(alice, hers));
      // The superuser reads anything; a mode change by the owner took effect.
      assertEquals((short) 0600, fs.getFileStatus(hers).getPermission().toShort());
      fs.setOwner(hers, ME, null);
      assertThrows(AccessControlException.class, () -> read(alice, hers));
    }
  }

  @Test
  void theHadoopUserIsPresentedWhenNoSluiceUserIsSet() throws Exception {
    Path dir = path("ugi");
    fs.mkdirs(dir);
    fs.setPermission(dir, new FsPermission((short) 0777));
    Configuration conf = MiniSluiceCluster.get().hadoopConf();
    UserGroupInformation alice = UserGroupInformation.createRemoteUser(MiniSluiceCluster.OTHER_USER);
    FileStatus st = alice.doAs((PrivilegedExceptionAction<FileStatus>) () -> {
      try (FileSystem f = FileSystem.newInstance(MiniSluiceCluster.get().uri(), conf)) {
        assertEquals(f.makeQualified(new Path("/user/" + MiniSluiceCluster.OTHER_USER)), f.getHomeDirectory());
        write(f, new Path(dir, "by-ugi"), new byte[] {1});
        return f.getFileStatus(new Path(dir, "by-ugi"));
      }
    });
    assertEquals(MiniSluiceCluster.OTHER_USER, st.getOwner());
  }

  @Test
  void xattrsTimesAndUsage() throws IOException {
    Path p = path("xattrs");
    write(fs, p, new byte[] {1});
    fs.setXAttr(p, "user.a", "1".getBytes(StandardCharsets.UTF_8));
    fs.setXAttr(p, "user.b", "2".getBytes(StandardCharsets.UTF_8));
    assertThrows(FileAlreadyExistsException.class,
        () -> fs.setXAttr(p, "user.a", new byte[] {9}, EnumSet.of(XAttrSetFlag.CREATE)));
    fs.setXAttr(p, "user.a", "3".getBytes(StandardCharsets.UTF_8), EnumSet.of(XAttrSetFlag.REPLACE));
    assertThrows(FileNotFoundException.class,
        () -> fs.setXAttr(p, "user.c", new byte[] {9}, EnumSet.of(XAttrSetFlag.REPLACE)));
    assertArrayEquals("3".getBytes(StandardCharsets.UTF_8), fs.getXAttr(p, "user.a"));
    assertEquals(List.of("user.a", "user.b"), fs.listXAttrs(p));
    assertEquals(1, fs.getXAttrs(p, List.of("user.b")).size());
    fs.removeXAttr(p, "user.a");
    assertEquals(List.of("user.b"), fs.listXAttrs(p));
    assertThrows(IOException.class, () -> fs.getXAttr(p, "user.a"));

    fs.setTimes(p, 1_000_000L, 2_000_000L);
    FileStatus st = fs.getFileStatus(p);
    assertEquals(1_000_000L, st.getModificationTime());
    assertEquals(2_000_000L, st.getAccessTime());
    fs.setTimes(p, -1, 3_000_000L);
    assertEquals(1_000_000L, fs.getFileStatus(p).getModificationTime());

    FsStatus usage = fs.getStatus();
    assertTrue(usage.getCapacity() > 0);
    assertEquals(usage.getCapacity() - usage.getUsed(), usage.getRemaining());
  }

  @Test
  void symlinksAreReportedNotFollowed() throws IOException {
    Path target = path("link-target");
    Path link = path("links/link");
    write(fs, target, new byte[] {1});
    fs.createSymlink(target, link, true);
    FileStatus st = fs.getFileLinkStatus(link);
    assertTrue(st.isSymlink());
    assertEquals(target, fs.getLinkTarget(link));
    assertNotNull(fs.getFileStatus(link).getSymlink());
    assertFalse(fs.getFileStatus(target).isSymlink());
  }

  @Test
  void appendCrossesABlockBoundaryAndAppearsOnlyOnClose() throws IOException {
    Path p = path("append/blocks");
    int blockSize = 64 * 1024;
    byte[] original = bytes(100_000, 1);
    try (FSDataOutputStream out = fs.create(p, FsPermission.getFileDefault(), false, 4096, (short) 1, blockSize,
        null)) {
      out.write(original);
    }
    byte[] appended = bytes(60_000, 2);
    try (FileSystem other = FileSystem.newInstance(MiniSluiceCluster.get().uri(), fs.getConf())) {
      FSDataOutputStream out = fs.append(p);
      assertEquals(original.length, out.getPos(), "positions are the file's, from its end");
      out.write(appended, 0, 10);
      for (int i = 10; i < 1000; i++) {
        out.write(appended[i]);
      }
      out.write(appended, 1000, appended.length - 1000);
      out.hflush();
      assertEquals(original.length + appended.length, out.getPos());
      assertArrayEquals(original, read(other, p), "nothing is visible before close");
      assertEquals(original.length, other.getFileStatus(p).getLen());
      out.close();
      out.close();
      assertThrows(IOException.class, () -> out.write(1), "a closed stream");

      byte[] expected = concat(original, appended);
      assertArrayEquals(expected, read(other, p));
      FileStatus status = other.getFileStatus(p);
      assertEquals(expected.length, status.getLen());
      assertEquals(blockSize, status.getBlockSize());
      assertEquals(3, other.getFileBlockLocations(status, 0, expected.length).length);
    }
  }

  @Test
  void appendNeedsAnExistingFileUnlessCreateIsAsked() throws IOException {
    Path missing = path("append/missing");
    assertThrows(FileNotFoundException.class, () -> fs.append(missing));
    assertThrows(FileNotFoundException.class, () -> fs.appendFile(missing).build());
    assertFalse(fs.exists(missing));
    fs.mkdirs(path("append/dir"));
    assertThrows(FileNotFoundException.class, () -> fs.append(path("append/dir")));

    // CREATE|APPEND, as HDFS: created when missing, appended to when present.
    EnumSet<CreateFlag> createOrAppend = EnumSet.of(CreateFlag.CREATE, CreateFlag.APPEND);
    Path p = path("append/created/file");
    for (int i = 0; i < 2; i++) {
      try (FSDataOutputStream out = fs.create(p, FsPermission.getFileDefault(), createOrAppend, 4096, (short) 1,
          1024 * 1024, null)) {
        out.write(new byte[] {(byte) i});
      }
    }
    assertArrayEquals(new byte[] {0, 1}, read(fs, p));
    try (FSDataOutputStream out = fs.createFile(p).overwrite(false).append().build()) {
      out.write(2);
    }
    assertArrayEquals(new byte[] {0, 1, 2}, read(fs, p));
    assertThrows(FileAlreadyExistsException.class, () -> fs.create(path("append/dir"),
        FsPermission.getFileDefault(), createOrAppend, 4096, (short) 1, 1024 * 1024, null));
    assertThrows(HadoopIllegalArgumentException.class, () -> fs.create(p, FsPermission.getFileDefault(),
        EnumSet.of(CreateFlag.APPEND, CreateFlag.OVERWRITE), 4096, (short) 1, 1024 * 1024, null));
  }

  @Test
  void theSecondOfTwoConcurrentAppendsFailsAndAppendsNothing() throws IOException {
    Path p = path("append/concurrent");
    write(fs, p, new byte[] {1});
    FSDataOutputStream first = fs.append(p);
    FSDataOutputStream second = fs.append(p);
    first.write(2);
    second.write(3);
    first.close();
    IOException e = assertThrows(IOException.class, second::close);
    assertTrue(e.getMessage().contains("another writer"), e.getMessage());
    assertArrayEquals(new byte[] {1, 2}, read(fs, p));
  }

  @Test
  void truncateShrinksAtOnce() throws IOException {
    Path p = path("truncate/file");
    byte[] data = bytes(200_000, 3);
    try (FSDataOutputStream out = fs.create(p, FsPermission.getFileDefault(), false, 4096, (short) 1, 64 * 1024,
        null)) {
      out.write(data);
    }
    assertTrue(fs.truncate(p, 100_000));
    assertEquals(100_000, fs.getFileStatus(p).getLen());
    assertArrayEquals(Arrays.copyOf(data, 100_000), read(fs, p));
    assertTrue(fs.truncate(p, 100_000), "to its own length: nothing to do");
    try (FSDataOutputStream out = fs.append(p)) {
      out.write(data, 100_000, 100_000);
    }
    assertArrayEquals(data, read(fs, p), "appending after a truncate puts the bytes right after the cut");
    assertTrue(fs.truncate(p, 0));
    assertEquals(0, read(fs, p).length);
  }

  @Test
  void aLogicalClusterNameReachesTheConfiguredMasters() throws IOException {
    Configuration c = new Configuration(MiniSluiceCluster.get().hadoopConf());
    c.set("sluice.master.addresses", MiniSluiceCluster.get().uri().getAuthority());
    c.set("sluice.hadoop.cluster.name", "lake");
    byte[] data = "by name".getBytes(StandardCharsets.UTF_8);
    try (FileSystem byName = FileSystem.newInstance(URI.create("sluice://lake/"), c)) {
      assertEquals(URI.create("sluice://lake/"), byName.getUri());
      Path p = new Path("sluice://lake/logical-name/f.txt");
      try (FSDataOutputStream out = byName.create(p, true)) {
        out.write(data);
      }
      assertEquals("sluice://lake/logical-name/f.txt", byName.getFileStatus(p).getPath().toString());
    }
    try (FSDataInputStream in = fs.open(new Path("/logical-name/f.txt"))) {
      assertArrayEquals(data, in.readAllBytes(), "the same cluster, reached by its master's address");
    }
    fs.delete(new Path("/logical-name"), true);
  }

  @Test
  void concatIsNotSupportedAndSaysSo() throws IOException {
    Path target = path("concat/target");
    Path source = path("concat/source");
    write(fs, target, new byte[] {1});
    write(fs, source, new byte[] {2});
    assertFalse(fs.hasPathCapability(target, CommonPathCapabilities.FS_CONCAT));
    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
        () -> fs.concat(target, new Path[] {source}));
    assertTrue(e.getMessage().contains("concat is not supported"), e.getMessage());
    assertArrayEquals(new byte[] {1}, read(fs, target), "the target is left as it was");
    assertTrue(fs.exists(source));
  }

  @Test
  void truncateFailsAsInHdfs() throws IOException {
    Path p = path("truncate/small");
    write(fs, p, new byte[] {1, 2, 3});
    assertThrows(FileNotFoundException.class, () -> fs.truncate(path("truncate/missing"), 0));
    assertThrows(FileNotFoundException.class, () -> fs.truncate(path("truncate"), 0));
    HadoopIllegalArgumentException larger = assertThrows(HadoopIllegalArgumentException.class,
        () -> fs.truncate(p, 4));
    assertTrue(larger.getMessage().contains("larger"), larger.getMessage());
    assertThrows(HadoopIllegalArgumentException.class, () -> fs.truncate(p, -1));
    assertArrayEquals(new byte[] {1, 2, 3}, read(fs, p));
  }

  @Test
  void filesUnderAMountAreRewrittenWholeOnly(@TempDir java.nio.file.Path ufs) throws IOException {
    Path mountPoint = path("mounted");
    Path p = new Path(mountPoint, "file");
    Path outside = path("not-mounted");
    SluiceConf conf = SluiceConf.defaults().with("sluice.master.addresses",
        fs.getConf().get("sluice.master.addresses"));
    try (SluiceClient client = SluiceClient.connect(conf)) {
      client.mount(mountPoint.toUri().getPath(), ufs.toUri(), MountOptions.defaults());
      try {
        write(fs, p, new byte[] {1, 2, 3});
        UnsupportedOperationException append = assertThrows(UnsupportedOperationException.class,
            () -> fs.append(p));
        assertTrue(append.getMessage().contains("mount"), append.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> fs.truncate(p, 1));
        assertFalse(fs.hasPathCapability(p, CommonPathCapabilities.FS_APPEND));
        assertFalse(fs.hasPathCapability(mountPoint, CommonPathCapabilities.FS_TRUNCATE));
        assertTrue(fs.hasPathCapability(outside, CommonPathCapabilities.FS_APPEND));
        assertTrue(fs.hasPathCapability(outside, CommonPathCapabilities.FS_TRUNCATE));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(ufs.resolve("file")));
      } finally {
        client.unmount(mountPoint.toUri().getPath());
      }
    }
  }
}
