package io.sluice.worker.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.auth.ShortCircuitToken;
import io.sluice.common.proto.OpenLocalBlockRequest;
import io.sluice.common.proto.OpenLocalBlockResponse;
import io.sluice.common.proto.ShortCircuitChallengeResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerMethod;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.rpc.RpcServer;
import io.sluice.ufs.UfsRegistry;
import io.sluice.worker.block.BlockStore;
import io.sluice.worker.block.StoreFixture;
import io.sluice.worker.block.TempBlock;
import io.sluice.worker.ufs.ReadThrough;
import io.sluice.worker.ufs.ReadThroughStats;
import io.sluice.worker.ufs.UfsBlockReader;
import io.sluice.worker.ufs.UfsMounts;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Short-circuit leases go only to a connection that proved it runs on the worker's host as a user who may read the
 * worker's files (issue 9), on a real data server over real sockets. The store holds 1 MiB and each block is 600
 * KiB, so a second block fits only by evicting the first: whether that succeeds shows whether the first is leased.
 */
class ShortCircuitProofTest {
  private static final int BLOCK = 600 * 1024;

  @TempDir
  Path dir;
  private BlockStore store;
  private ReadThrough readThrough;
  private RpcServer server;
  private ShortCircuitLeases leases;
  private LocalClientCheck check;
  private final List<RpcClient> clients = new ArrayList<>();
  private final List<TempBlock> temps = new ArrayList<>();

  private void start() throws Exception {
    start(LocalClientCheck.create(dir.resolve("state/short-circuit.token"), ""));
  }

  private void start(LocalClientCheck c) throws Exception {
    check = c;
    store = new BlockStore(dir.resolve("store"), 1 << 20, false);
    store.open();
    RpcOptions opts = RpcOptions.defaults().withCallTimeout(Duration.ofSeconds(20));
    ReadThroughStats stats = new ReadThroughStats();
    readThrough = new ReadThrough(store, new UfsBlockReader(new UfsMounts(List::of, UfsRegistry.load()), stats),
        id -> CompletableFuture.completedFuture(null), 1, 4096);
    leases = new ShortCircuitLeases(store, stats, check, 16, Duration.ofSeconds(5));
    server = new RpcServer("worker-data", new InetSocketAddress("127.0.0.1", 0), new DataHandler(store, 64 * 1024,
        id -> CompletableFuture.completedFuture(null), new DataTraffic(), readThrough, stats, leases,
        TransferMode.ZERO_COPY, opts), opts).start();
  }

  @AfterEach
  void stop() {
    temps.forEach(TempBlock::abort);
    clients.forEach(RpcClient::close);
    if (server != null) {
      server.close();
    }
    if (readThrough != null) {
      readThrough.close();
    }
  }

  private RpcClient connect() throws RpcException {
    RpcClient c = RpcClient.connect(server.address(), RpcOptions.defaults().withCallTimeout(Duration.ofSeconds(20)));
    clients.add(c);
    return c;
  }

  private byte[] put(long blockId) throws RpcException {
    return StoreFixture.putRandom(store, blockId, BLOCK);
  }

  /** Whether another block of the same size can be placed now: only by evicting the one already there. */
  private boolean roomForAnother(long blockId) throws RpcException {
    return StoreFixture.roomFor(store, blockId, BLOCK, temps);
  }

  private static OpenLocalBlockResponse open(RpcClient c, long blockId) throws RpcException {
    return c.call(WorkerMethod.OPEN_LOCAL_BLOCK_VALUE, OpenLocalBlockRequest.newBuilder().setBlockId(blockId).build(),
        OpenLocalBlockResponse.parser());
  }

  private static void assertDenied(org.junit.jupiter.api.function.Executable call) {
    RpcException e = assertThrows(RpcException.class, call);
    assertEquals(Status.PERMISSION_DENIED, e.status(), e.getMessage());
  }

  @Test
  void anUnprovenConnectionIsRefusedAndPinsNothing() throws Exception {
    start();
    put(1);
    RpcClient c = connect();
    RpcException e = assertThrows(RpcException.class, () -> open(c, 1));
    assertEquals(Status.PERMISSION_DENIED, e.status());
    assertTrue(e.getMessage().contains("SHORT_CIRCUIT_PROOF"), e.getMessage());
    // Many tries pin nothing either: a remote client cannot hold blocks against eviction.
    for (int i = 0; i < 20; i++) {
      assertDenied(() -> open(c, 1));
    }
    assertEquals(0, leases.held());
    assertEquals(0, leases.opens());
    assertTrue(roomForAnother(2), "the block was not leased, so it was evicted for the next one");
    assertFalse(store.contains(1));
  }

  @Test
  void aProvenConnectionGetsLeasesOnTheBlockFile() throws Exception {
    start();
    byte[] data = put(1);
    RpcClient c = connect();
    ShortCircuitProver.prove(c);
    OpenLocalBlockResponse lease = open(c, 1);
    assertArrayEquals(data, Files.readAllBytes(Path.of(lease.getPath())));
    assertEquals(1, leases.held());
    assertFalse(roomForAnother(2), "the leased block is kept");
    open(c, 1); // once proven, every open of the connection is granted without another proof
    assertEquals(2, leases.opens());
  }

  @Test
  void aWrongProofIsRefused() throws Exception {
    start();
    put(1);
    RpcClient c = connect();
    ShortCircuitChallengeResponse ch = ShortCircuitProver.challenge(c);
    byte[] wrong = ShortCircuitToken.generate().prove(ch.getNonce().toByteArray()); // another token
    assertDenied(() -> ShortCircuitProver.answer(c, wrong));
    assertDenied(() -> open(c, 1));

    // The nonce was used up by the wrong answer: the right one now answers nothing.
    byte[] right = ShortCircuitToken.read(Path.of(ch.getTokenPath())).prove(ch.getNonce().toByteArray());
    assertDenied(() -> ShortCircuitProver.answer(c, right));
    assertDenied(() -> open(c, 1));
    assertDenied(() -> ShortCircuitProver.answer(c, new byte[0]));
    // Nor may the connection try again: one wrong proof ends short-circuit for it.
    assertDenied(() -> ShortCircuitProver.challenge(c));
    assertEquals(0, leases.held());
    assertTrue(roomForAnother(2));
    ShortCircuitProver.prove(connect()); // a new connection may
  }

  @Test
  void aProofAnswersOneNonceOfOneConnection() throws Exception {
    start();
    put(1);
    RpcClient a = connect();
    RpcClient b = connect();
    ShortCircuitChallengeResponse chA = ShortCircuitProver.challenge(a);
    ShortCircuitChallengeResponse chB = ShortCircuitProver.challenge(b);
    assertNotEquals(chA.getNonce(), chB.getNonce());
    ShortCircuitToken token = ShortCircuitToken.read(Path.of(chA.getTokenPath()));
    byte[] proofA = token.prove(chA.getNonce().toByteArray());
    // Recorded on a and replayed on b, it does not answer b's nonce.
    assertDenied(() -> ShortCircuitProver.answer(b, proofA));
    ShortCircuitProver.answer(a, proofA);
    // Nor a's next one.
    ShortCircuitProver.challenge(a);
    assertDenied(() -> ShortCircuitProver.answer(a, proofA));
    open(a, 1); // a stays proven
  }

  @Test
  void eachConnectionProvesItself() throws Exception {
    start();
    put(1);
    RpcClient a = connect();
    ShortCircuitProver.prove(a);
    open(a, 1);
    RpcClient b = connect();
    assertDenied(() -> open(b, 1));
    ShortCircuitProver.prove(b);
    open(b, 1);
    assertEquals(2, leases.held());
  }

  @Test
  void aConnectionFromAnotherHostIsNotChallenged() throws Exception {
    // Every connection here comes from 127.0.0.1; the check is told that no address is this host's.
    BiPredicate<SocketAddress, SocketAddress> elsewhere = (remote, local) -> false;
    start(LocalClientCheck.create(dir.resolve("short-circuit.token"), "", elsewhere));
    put(1);
    RpcClient c = connect();
    RpcException e = assertThrows(RpcException.class, () -> ShortCircuitProver.challenge(c));
    assertEquals(Status.PERMISSION_DENIED, e.status());
    assertFalse(e.getMessage().contains("short-circuit.token"), "the token's path is not told: " + e.getMessage());
    // Even a client that holds the token (it could read the file) has no nonce to answer.
    byte[] proof = ShortCircuitToken.read(check.tokenFile()).prove(new byte[ShortCircuitToken.NONCE_BYTES]);
    assertDenied(() -> ShortCircuitProver.answer(c, proof));
    assertDenied(() -> open(c, 1));
    assertEquals(0, leases.held());
  }

  @Test
  void addressesOfThisHostAreLocalAndOthersAreNot() throws Exception {
    SocketAddress local = new InetSocketAddress("127.0.0.1", 7080);
    assertTrue(LocalClientCheck.fromThisHost(new InetSocketAddress("127.0.0.1", 40000), local));
    assertTrue(LocalClientCheck.fromThisHost(new InetSocketAddress("127.0.0.2", 40000), local), "all of 127/8");
    assertTrue(LocalClientCheck.fromThisHost(new InetSocketAddress("::1", 40000), local));
    // TEST-NET-1 (RFC 5737): never assigned to a host.
    assertFalse(LocalClientCheck.fromThisHost(new InetSocketAddress("192.0.2.7", 40000), local));
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress a : Collections.list(nic.getInetAddresses())) {
        assertTrue(LocalClientCheck.fromThisHost(new InetSocketAddress(a, 40000), local), a.toString());
      }
    }
  }

  @Test
  void theTokenIsOwnerOnlyAndNewAtEachStart() throws Exception {
    Path file = dir.resolve("state/short-circuit.token");
    LocalClientCheck first = LocalClientCheck.create(file, "");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(System.getProperty("user.name"), Files.getOwner(file).getName(), "owned by the worker's user");
    byte[] before = Files.readAllBytes(file);
    start(LocalClientCheck.create(file, "")); // a restart
    assertNotEquals(new String(before, java.nio.charset.StandardCharsets.US_ASCII),
        Files.readString(file), "a new token");
    assertEquals(first.tokenFile(), check.tokenFile());
    try (var files = Files.list(file.getParent())) {
      assertEquals(List.of(file), files.toList(), "no temporary file left");
    }
    put(1);
    RpcClient c = connect();
    ShortCircuitChallengeResponse ch = ShortCircuitProver.challenge(c);
    // A client that kept the token of the earlier start proves nothing.
    Path old = Files.write(dir.resolve("old.token"), before);
    assertDenied(() -> ShortCircuitProver.answer(c, ShortCircuitToken.read(old).prove(ch.getNonce().toByteArray())));
    RpcClient current = connect();
    ShortCircuitProver.prove(current); // with the token of this start
    open(current, 1);
  }

  @Test
  void disabledRefusesTheChallenge() throws Exception {
    start(null);
    RpcClient c = connect();
    RpcException e = assertThrows(RpcException.class, () -> ShortCircuitProver.challenge(c));
    assertEquals(Status.PERMISSION_DENIED, e.status());
    assertTrue(e.getMessage().contains("sluice.worker.short.circuit.enabled"), e.getMessage());
  }
}
