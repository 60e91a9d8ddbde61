package io.sluice.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.client.testing.FakeCluster;
import io.sluice.client.testing.FakeWorker;
import io.sluice.common.conf.CommonKeys;
import io.sluice.common.proto.BlockInfo;
import io.sluice.common.proto.BlockLocation;
import io.sluice.common.proto.GetBlockLocationsRequest;
import io.sluice.common.proto.ReadBlockRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads of UFS-backed files: READ_BLOCK carries the block's UFS source (so a worker can read through), and when no
 * worker can be reached the client reads the real UFS (a local directory) itself. Worker 0 is alive; worker 1 is
 * stopped, so its location is a closed port.
 */
class UfsFallThroughTest {
  private static final int BLOCK = 1 << 20;
  private static final String FILE = "/m/dir/f.bin";

  @TempDir
  Path ufsRoot;

  private FakeCluster cluster;
  private SluiceClient client;
  private final byte[] data = new byte[2 * BLOCK + BLOCK / 2 + 100];
  private Mount mount;
  private List<Long> blockIds;
  private BlockLocation dead;
  /** The UFS file's real fingerprint, as the master would have listed it (a fall-through read checks it). */
  private String fp1;

  @BeforeEach
  void start() throws Exception {
    new Random(7).nextBytes(data);
    Files.createDirectories(ufsRoot.resolve("dir"));
    Files.write(ufsRoot.resolve("dir/f.bin"), data);
    cluster = FakeCluster.start(2);
    cluster.stopWorker(1);
    dead = cluster.locations.get(1);
    client = SluiceClient.connect(cluster.conf());
    mount = client.mount("/m", ufsRoot.toUri(), MountOptions.defaults());
    fp1 = fingerprint(ufsRoot, "dir/f.bin");
    blockIds = cluster.master.addUfsFile(FILE, mount.id(), "dir/f.bin", data.length, BLOCK, fp1);
  }

  @AfterEach
  void stop() {
    client.close();
    cluster.close();
  }

  private static String fingerprint(Path root, String file) throws IOException {
    try (io.sluice.ufs.UnderFileSystem ufs = io.sluice.ufs.UfsRegistry.load().create(root.toUri(), Map.of())) {
      return ufs.getStatus(io.sluice.ufs.UfsPath.parse(file)).orElseThrow().fingerprint();
    }
  }

  private void locateAllOn(BlockLocation loc) {
    for (long id : blockIds) {
      cluster.master.setLocations(id, List.of(loc));
    }
  }

  @Test
  void unreachableWorkerFallsThroughToTheUfs() throws Exception {
    locateAllOn(dead);
    try (SluiceInputStream in = client.open(FILE)) {
      assertArrayEquals(data, in.readAllBytes());
      // A positioned read across a block boundary falls through too, and lands on the right bytes.
      byte[] got = new byte[5000];
      in.readFully(BLOCK - 2000, got, 0, got.length);
      assertArrayEquals(Arrays.copyOfRange(data, BLOCK - 2000, BLOCK + 3000), got);
    }
    assertEquals(1, cluster.master.getMountsCalls(), "the mount table is fetched once and kept");
  }

  @Test
  void blockWithoutLocationFallsThroughToTheUfs() throws Exception {
    try (SluiceInputStream in = client.open(FILE)) {
      in.seek(BLOCK + 17);
      byte[] got = new byte[100];
      assertEquals(100, in.read(got, 0, 100));
      assertArrayEquals(Arrays.copyOfRange(data, BLOCK + 17, BLOCK + 117), got);
    }
  }

  @Test
  void readBlockCarriesTheUfsSourceAndLocationsTheClientHost() throws Exception {
    FakeWorker w = holdingAllBlocks(blockIds, data);
    try (SluiceInputStream in = client.open(FILE)) {
      assertArrayEquals(data, in.readAllBytes());
    }
    Map<Long, BlockInfo> listed = client.getBlockLocations(FILE).stream()
        .collect(Collectors.toMap(BlockInfo::getBlockId, b -> b));
    assertEquals(blockIds.size(), w.readRequests.size());
    for (ReadBlockRequest r : w.readRequests) {
      BlockInfo b = listed.get(r.getBlockId());
      assertTrue(r.hasUfs(), "READ_BLOCK of block " + r.getBlockId() + " without its UFS source");
      assertEquals(b.getUfs(), r.getUfs());
      assertEquals(mount.id(), r.getUfs().getMountId());
      assertEquals("dir/f.bin", r.getUfs().getUfsPath());
      assertEquals((r.getBlockId() & 0xfffff) * BLOCK, r.getUfs().getOffset());
      assertEquals(fp1, r.getUfs().getFingerprint());
      assertFalse(r.getNoCache());
    }
    GetBlockLocationsRequest sent = cluster.master.locationCalls().get(0);
    assertEquals(InetAddress.getLocalHost().getHostName(), sent.getClientHost());
  }

  private FakeWorker holdingAllBlocks(List<Long> ids, byte[] content) {
    FakeWorker w = cluster.workers.get(0);
    for (int i = 0; i < ids.size(); i++) {
      w.put(ids.get(i), Arrays.copyOfRange(content, i * BLOCK, Math.min(content.length, (i + 1) * BLOCK)));
      cluster.master.setLocations(ids.get(i), List.of(cluster.locations.get(0)));
    }
    return w;
  }

  @Test
  void staleFromTheWorkerFailsClearlyWithoutFallingThrough() throws Exception {
    holdingAllBlocks(blockIds, data).staleFingerprint = fp1;
    try (SluiceInputStream in = client.open(FILE)) {
      RpcException e = assertThrows(RpcException.class, in::read);
      assertEquals(Status.STALE, e.status());
      assertTrue(e.getMessage().contains(FILE) && e.getMessage().contains("changed in the UFS"), e.getMessage());
    }
    assertEquals(0, cluster.master.getMountsCalls(), "a worker that answered STALE was reached: no fall-through");
    assertEquals(2, cluster.master.locationCalls().size(), "listed at open and once more after STALE, no more");
    assertFalse(cluster.master.locationCalls().get(0).getRefreshUfs());
    assertTrue(cluster.master.locationCalls().get(1).getRefreshUfs(), "the re-listing asks for a UFS check now");
  }

  @Test
  void staleBeforeTheFirstByteReadsTheNewContent() throws Exception {
    FakeWorker w = holdingAllBlocks(blockIds, data);
    try (SluiceInputStream in = client.open(FILE)) {
      // The file changes in the UFS after the open: the master lists the new version, the worker refuses the old.
      byte[] newer = Arrays.copyOf(data, data.length - 10);
      newer[0] ^= 1;
      holdingAllBlocks(cluster.master.addUfsFile(FILE, mount.id(), "dir/f.bin", newer.length, BLOCK, "fp-2"), newer);
      w.staleFingerprint = fp1;
      assertArrayEquals(newer, in.readAllBytes());
      assertEquals(newer.length, in.length());
    }
  }

  @Test
  void staleAfterBytesWereReturnedFails() throws Exception {
    FakeWorker w = holdingAllBlocks(blockIds, data);
    try (SluiceInputStream in = client.open(FILE)) {
      assertArrayEquals(Arrays.copyOf(data, BLOCK), in.readNBytes(BLOCK));
      w.staleFingerprint = fp1;
      RpcException e = assertThrows(RpcException.class, in::read);
      assertEquals(Status.STALE, e.status());
      assertTrue(e.getMessage().contains("open it again"), e.getMessage());
    }
    assertEquals(1, cluster.master.locationCalls().size(), "no re-listing once bytes were returned");
  }

  @Test
  void stalledWorkerTimesOutAndFallsThrough() throws Exception {
    holdingAllBlocks(blockIds, data).stallReads = true;
    try (SluiceClient impatient = SluiceClient.connect(cluster.conf().with(CommonKeys.RPC_CALL_TIMEOUT, "300ms"));
        SluiceInputStream in = impatient.open(FILE)) {
      assertArrayEquals(data, in.readAllBytes());
    }
  }

  @Test
  void ufsFileShorterThanListedFailsInsteadOfReturningShortData() throws Exception {
    locateAllOn(dead);
    try (RandomAccessFile f = new RandomAccessFile(ufsRoot.resolve("dir/f.bin").toFile(), "rw")) {
      f.setLength(BLOCK + BLOCK / 2);
    }
    try (SluiceInputStream in = client.open(FILE)) {
      // Its fingerprint changed with its length: not one byte is read under the old listing.
      IOException e = assertThrows(IOException.class, () -> in.readNBytes(BLOCK));
      assertTrue(e.getMessage().contains("changed since it was listed"), e.getMessage());
      assertEquals(Status.STALE, ((RpcException) e).status());
    }
  }

  @Test
  void aFileRewrittenWithTheSameLengthIsStaleNotReadUnderTheOldListing() throws Exception {
    locateAllOn(dead);
    byte[] rewritten = data.clone();
    rewritten[BLOCK + 5] ^= 1;
    Path f = ufsRoot.resolve("dir/f.bin");
    Files.write(f, rewritten);
    Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
    try (SluiceInputStream in = client.open(FILE)) {
      RpcException e = assertThrows(RpcException.class, () -> in.readNBytes(BLOCK));
      assertEquals(Status.STALE, e.status());
      assertTrue(e.getMessage().contains("fingerprint"), e.getMessage());
    }
  }

  @Test
  void mountMadeAfterTheTableWasFetchedIsFound() throws Exception {
    locateAllOn(dead);
    try (SluiceInputStream in = client.open(FILE)) {
      assertEquals(data[0] & 0xff, in.read());
    }
    Path other = Files.createDirectory(ufsRoot.resolve("other"));
    Files.write(other.resolve("g"), new byte[] {1, 2, 3});
    Mount second = client.mount("/n", other.toUri(), MountOptions.defaults());
    cluster.master.addUfsFile("/n/g", second.id(), "g", 3, BLOCK, fingerprint(other, "g"));
    try (SluiceInputStream in = client.open("/n/g")) {
      assertArrayEquals(new byte[] {1, 2, 3}, in.readAllBytes());
    }
    assertEquals(2, cluster.master.getMountsCalls());
  }

  @Test
  void unmountedMountFailsTheFallThroughWithNotFound() throws Exception {
    cluster.master.addUfsFile("/x/f", 999, "dir/f.bin", 10, BLOCK, "fp");
    try (SluiceInputStream in = client.open("/x/f")) {
      RpcException e = assertThrows(RpcException.class, in::read);
      assertEquals(Status.NOT_FOUND, e.status());
      assertTrue(e.getMessage().contains("/x/f") && e.getMessage().contains("mount 999"), e.getMessage());
    }
  }

  @Test
  void nativeBlockWithoutReachableWorkerStillFails() throws Exception {
    try (SluiceOutputStream out = client.create("/native")) {
      out.write(data, 0, 1000);
    }
    cluster.stopWorker(0);
    try (SluiceInputStream in = client.open("/native")) {
      RpcException e = assertThrows(RpcException.class, in::read);
      assertEquals(Status.UNAVAILABLE, e.status());
      assertTrue(e.getMessage().contains("/native"), e.getMessage());
    }
    assertEquals(0, cluster.master.getMountsCalls(), "a native block never falls through");
  }
}
