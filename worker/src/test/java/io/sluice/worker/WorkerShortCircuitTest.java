package io.sluice.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.metrics.Scrape;
import io.sluice.common.proto.CloseLocalBlockRequest;
import io.sluice.common.proto.CloseLocalBlockResponse;
import io.sluice.common.proto.OpenLocalBlockRequest;
import io.sluice.common.proto.OpenLocalBlockResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerMethod;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.testing.FreePort;
import io.sluice.worker.block.BlockStore;
import io.sluice.worker.block.StoreFixture;
import io.sluice.worker.block.TempBlock;
import io.sluice.worker.data.ShortCircuitProver;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Short-circuit leases (OPEN_LOCAL_BLOCK / CLOSE_LOCAL_BLOCK) on a real worker over real sockets. No master runs;
 * blocks are put into the store directly. The tier holds 1 MiB and each block is 600 KiB, so a second block fits
 * only by evicting the first: whether that succeeds shows whether the first is leased.
 */
class WorkerShortCircuitTest {
  private static final int BLOCK = 600 * 1024;

  @TempDir
  Path dir;
  private WorkerServer worker;
  private final List<RpcClient> clients = new ArrayList<>();
  private final List<TempBlock> temps = new ArrayList<>();

  private void start(String... extra) throws Exception {
    int nobody;
    nobody = FreePort.pick(); // no master listens there
    SluiceConf conf = SluiceConf.defaults()
        .with(CommonKeys.MASTER_ADDRESSES, "127.0.0.1:" + nobody)
        .with(WorkerKeys.HOST, "127.0.0.1").with(WorkerKeys.BIND_HOST, "127.0.0.1")
        .with(WorkerKeys.DATA_PORT, "0").with(WorkerKeys.HTTP_PORT, "0")
        .with(WorkerKeys.TIERS, "HDD:" + dir.resolve("hdd") + ":1m");
    for (int i = 0; i + 1 < extra.length; i += 2) {
      conf = conf.with(extra[i], extra[i + 1]);
    }
    worker = new WorkerServer(conf).start();
  }

  @AfterEach
  void stop() {
    temps.forEach(TempBlock::abort);
    clients.forEach(RpcClient::close);
    if (worker != null) {
      worker.close();
    }
  }

  /** A connection proven for short-circuit, as a client on this host running as this user makes it. */
  private RpcClient connect() throws Exception {
    RpcClient c = connectUnproven();
    ShortCircuitProver.prove(c);
    return c;
  }

  private RpcClient connectUnproven() throws RpcException {
    RpcClient c = RpcClient.connect(worker.dataAddress(),
        RpcOptions.defaults().withCallTimeout(Duration.ofSeconds(20)));
    clients.add(c);
    return c;
  }

  private byte[] put(long blockId) throws RpcException {
    return StoreFixture.putRandom(worker.blockStore(), blockId, BLOCK);
  }

  /** Whether another block of the same size can be placed now: only by evicting the one already there. */
  private boolean roomForAnother(long blockId) throws RpcException {
    return StoreFixture.roomFor(worker.blockStore(), blockId, BLOCK, temps);
  }

  private static OpenLocalBlockResponse open(RpcClient c, long blockId) throws RpcException {
    return c.call(WorkerMethod.OPEN_LOCAL_BLOCK_VALUE, OpenLocalBlockRequest.newBuilder().setBlockId(blockId).build(),
        OpenLocalBlockResponse.parser());
  }

  private static void close(RpcClient c, long leaseId) throws RpcException {
    c.call(WorkerMethod.CLOSE_LOCAL_BLOCK_VALUE, CloseLocalBlockRequest.newBuilder().setLeaseId(leaseId).build(),
        CloseLocalBlockResponse.parser());
  }

  private double metric(String name) throws Exception {
    return Scrape.of(worker.httpAddress().orElseThrow()).require(name);
  }

  @Test
  void aLeaseGivesThePathAndLengthAndKeepsTheBlockFromEvictionUntilClosed() throws Exception {
    start();
    byte[] data = put(1);
    RpcClient c = connect();

    OpenLocalBlockResponse lease = open(c, 1);
    Path path = Path.of(lease.getPath());
    assertTrue(path.isAbsolute(), lease.getPath());
    assertEquals(BLOCK, lease.getLength());
    assertArrayEquals(data, Files.readAllBytes(path));
    assertEquals(1, metric("sluice_worker_short_circuit_opens_total"));
    assertEquals(1, metric("sluice_worker_short_circuit_leases"));
    assertEquals(1, metric("sluice_worker_cache_hits_total"), "a granted open is a cache hit");
    assertEquals(0, metric("sluice_worker_data_read_bytes_total"), "no byte went over the block RPC");

    assertFalse(roomForAnother(2), "the leased block must not be evicted");
    assertTrue(worker.blockStore().contains(1));

    close(c, lease.getLeaseId());
    assertEquals(0, metric("sluice_worker_short_circuit_leases"));
    assertTrue(roomForAnother(2), "once released, the block is evictable again");
    assertFalse(worker.blockStore().contains(1), "evicted to make room");

    RpcException twice = assertThrows(RpcException.class, () -> close(c, lease.getLeaseId()));
    assertEquals(Status.NOT_FOUND, twice.status());
  }

  @Test
  void closingTheConnectionEndsItsLeasesOnly() throws Exception {
    start();
    put(1);
    RpcClient dying = connect();
    RpcClient other = connect();
    open(dying, 1);
    open(dying, 1);
    long kept = open(other, 1).getLeaseId();
    assertEquals(3, metric("sluice_worker_short_circuit_leases"));

    dying.close();
    // The worker learns of the close on its own event loop; wait for that, however long it takes.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (metric("sluice_worker_short_circuit_leases") != 1) {
      assertTrue(System.nanoTime() < deadline, "the closed connection's leases were never released");
      Thread.sleep(10);
    }
    assertFalse(roomForAnother(2), "the other connection still holds its lease");

    // Lease ids are per connection: the other connection's id 1 is not the dead one's.
    close(other, kept);
    assertTrue(roomForAnother(2));
  }

  @Test
  void aMemBlockWhoseClientMayStillReadItIsNeverReused() throws Exception {
    start(WorkerKeys.TIERS.name(), "MEM:" + dir.resolve("mem") + ":1m");
    byte[] data = put(1);
    RpcClient dying = connect();
    Path path = Path.of(open(dying, 1).getPath());
    Object inode = Files.getAttribute(path, "unix:ino");
    try (FileChannel reader = FileChannel.open(path, StandardOpenOption.READ)) {
      dying.close(); // the connection died; the client's process reads on
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (metric("sluice_worker_short_circuit_leases") != 0) {
        assertTrue(System.nanoTime() < deadline, "the closed connection's lease was never released");
        Thread.sleep(10);
      }
      put(2); // evicts 1: its file must be unlinked, not written over
      assertFalse(worker.blockStore().contains(1));
      assertEquals(0, worker.blockStore().tierStats().get(0).pooled());
      assertFalse(inode.equals(Files.getAttribute(worker.blockStore().path(2), "unix:ino")));
      ByteBuffer got = ByteBuffer.allocate(BLOCK);
      while (got.hasRemaining() && reader.read(got, got.position()) > 0) {
        // until the whole block is in
      }
      assertArrayEquals(data, got.array(), "the reader still reads the block it opened");
    }
  }

  @Test
  void aMemBlockWhoseLeaseWasClosedIsReused() throws Exception {
    start(WorkerKeys.TIERS.name(), "MEM:" + dir.resolve("mem") + ":1m");
    put(1);
    RpcClient c = connect();
    OpenLocalBlockResponse lease = open(c, 1);
    Object inode = Files.getAttribute(Path.of(lease.getPath()), "unix:ino");
    close(c, lease.getLeaseId()); // the client closed its file first
    byte[] data = put(2); // evicts 1 and is written over its file
    assertEquals(inode, Files.getAttribute(worker.blockStore().path(2), "unix:ino"));
    assertArrayEquals(data, Files.readAllBytes(worker.blockStore().path(2)));
  }

  @Test
  void aBlockTheWorkerDoesNotHoldIsNotFound() throws Exception {
    start();
    RpcClient c = connect();
    RpcException e = assertThrows(RpcException.class, () -> open(c, 999));
    assertEquals(Status.NOT_FOUND, e.status());
    assertEquals(0, metric("sluice_worker_short_circuit_opens_total"));
    assertEquals(0, metric("sluice_worker_short_circuit_leases"));
  }

  @Test
  void disabledByConfigIsRefused() throws Exception {
    start(WorkerKeys.SHORT_CIRCUIT_ENABLED.name(), "false");
    put(1);
    RpcClient c = connectUnproven();
    RpcException e = assertThrows(RpcException.class, () -> open(c, 1));
    assertEquals(Status.PERMISSION_DENIED, e.status());
    assertTrue(e.getMessage().contains("sluice.worker.short.circuit.enabled"), e.getMessage());
    assertEquals(0, metric("sluice_worker_short_circuit_opens_total"));
    assertTrue(roomForAnother(2), "nothing was leased");
    assertFalse(Files.exists(dir.resolve("hdd/short-circuit.token")), "no token for a short-circuit nobody may use");
  }

  @Test
  void theTokenIsWrittenOwnerOnlyToTheFirstTierAndAnUnprovenConnectionGetsNoLease() throws Exception {
    start(WorkerKeys.TIERS.name(), "MEM:" + dir.resolve("mem") + ":1m,HDD:" + dir.resolve("hdd") + ":1m");
    Path token = dir.resolve("mem/short-circuit.token");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(token)));
    put(1);
    RpcClient c = connectUnproven();
    RpcException e = assertThrows(RpcException.class, () -> open(c, 1));
    assertEquals(Status.PERMISSION_DENIED, e.status());
    assertEquals(0, metric("sluice_worker_short_circuit_leases"));
    ShortCircuitProver.prove(c);
    open(c, 1);
    assertEquals(1, metric("sluice_worker_short_circuit_leases"));
  }

  @Test
  void theTokenFileAndItsGroupAreConfigurable() throws Exception {
    Path token = dir.resolve("run/sluice/sc.token");
    start(WorkerKeys.SHORT_CIRCUIT_TOKEN_FILE.name(), token.toString(),
        WorkerKeys.SHORT_CIRCUIT_GROUP.name(), "daemon");
    PosixFileAttributes attrs = Files.readAttributes(token, PosixFileAttributes.class);
    assertEquals("rw-r-----", PosixFilePermissions.toString(attrs.permissions()));
    assertEquals("daemon", attrs.group().getName());
    put(1);
    open(connect(), 1); // the client reads the token where the worker says it is
    assertFalse(Files.exists(dir.resolve("hdd/short-circuit.token")));
  }

  @Test
  void aFailedFirstTierDirectoryDoesNotTurnShortCircuitOff() throws Exception {
    Path dead = Files.writeString(dir.resolve("dead"), "a file where a directory should be");
    start(WorkerKeys.TIERS.name(), "HDD:" + dead + ":1m;" + dir.resolve("hdd") + ":1m");
    assertTrue(Files.exists(dir.resolve("hdd/short-circuit.token")));
    put(1);
    open(connect(), 1);
  }

  @Test
  void aGroupTheTokenCannotBeGivenToStopsTheStart() {
    java.io.IOException e = assertThrows(java.io.IOException.class,
        () -> start(WorkerKeys.SHORT_CIRCUIT_GROUP.name(), "no-such-group-x"));
    assertTrue(e.getMessage().contains(WorkerKeys.SHORT_CIRCUIT_GROUP.name()), e.getMessage());
    assertTrue(e.getMessage().contains("no group no-such-group-x"), e.getMessage());
  }

  @Test
  void leasesPerConnectionAreBounded() throws Exception {
    start(WorkerKeys.SHORT_CIRCUIT_MAX_LEASES.name(), "2");
    put(1);
    RpcClient c = connect();
    long first = open(c, 1).getLeaseId();
    open(c, 1);
    RpcException e = assertThrows(RpcException.class, () -> open(c, 1));
    assertEquals(Status.UNAVAILABLE, e.status());
    assertTrue(e.getMessage().contains("sluice.worker.short.circuit.max.leases"), e.getMessage());
    open(connect(), 1); // the bound is per connection

    close(c, first);
    open(c, 1);
    assertEquals(4, metric("sluice_worker_short_circuit_opens_total"));
  }
}
