package io.sluice.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.netty.channel.Channel;
import io.sluice.client.block.LeaseHold;
import io.sluice.client.block.LocalBlockRange;
import io.sluice.client.block.ShortCircuit;
import io.sluice.client.testing.FakeMaster;
import io.sluice.client.testing.FakeWorker;
import io.sluice.common.auth.ShortCircuitToken;
import io.sluice.common.checksum.ChunkChecksums;
import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.proto.BlockLocation;
import io.sluice.common.proto.BlockMeta;
import io.sluice.common.proto.CloseLocalBlockRequest;
import io.sluice.common.proto.CloseLocalBlockResponse;
import io.sluice.common.proto.OpenLocalBlockRequest;
import io.sluice.common.proto.OpenLocalBlockResponse;
import io.sluice.common.proto.ShortCircuitChallengeResponse;
import io.sluice.common.proto.ShortCircuitProofRequest;
import io.sluice.common.proto.ShortCircuitProofResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerAddress;
import io.sluice.common.proto.WorkerMethod;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcHandler;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.rpc.RpcServer;
import io.sluice.common.rpc.ServerCall;
import io.sluice.common.testing.Poll;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's side of short-circuit reads against a fake worker on 127.0.0.1 that grants leases on block files in
 * a temp dir this test controls and serves READ_BLOCK from memory: whatever goes wrong with the file (gone, short,
 * cut while being read) or the worker (refuses, lacks the block), the reader gets the written bytes, over the RPC
 * from where the file left off, and every lease granted is closed.
 */
class ShortCircuitFallbackTest {
  private static final int BLOCK = 1 << 20;
  private static final int CHUNK = ChunkChecksums.CHUNK;

  @TempDir
  Path dir;
  private FakeWorker blocks;
  private LeasingWorker worker;
  private RpcServer workerServer;
  private RpcServer masterServer;
  private SluiceConf conf;
  private SluiceClient client;
  private final byte[] data = new byte[3 * BLOCK + 4321];

  /** The CRC32C of each checksum chunk of {@code b}, as a worker stores them with the block. */
  private static List<Integer> sums(byte[] b) {
    List<Integer> out = new ArrayList<>();
    for (int at = 0; at < b.length; at += CHUNK) {
      CRC32C c = new CRC32C();
      c.update(b, at, Math.min(CHUNK, b.length - at));
      out.add((int) c.getValue());
    }
    return out;
  }

  /**
   * A {@link FakeWorker} that also answers OPEN_LOCAL_BLOCK and CLOSE_LOCAL_BLOCK, with switches and counters, and
   * leases only to a connection that proved it read the token in {@link #tokenFile} (SHORT_CIRCUIT_CHALLENGE and
   * SHORT_CIRCUIT_PROOF, as a real worker does).
   */
  private final class LeasingWorker implements RpcHandler {
    final ShortCircuitToken token = ShortCircuitToken.generate();
    final Map<Channel, byte[]> nonces = new ConcurrentHashMap<>();
    final Set<Channel> proven = ConcurrentHashMap.newKeySet();
    final AtomicInteger challenges = new AtomicInteger();
    final AtomicInteger proofs = new AtomicInteger();
    final AtomicInteger wrongProofs = new AtomicInteger();
    final AtomicInteger opens = new AtomicInteger();
    final AtomicInteger refusals = new AtomicInteger();
    final AtomicInteger unproven = new AtomicInteger();
    final Set<Long> open = ConcurrentHashMap.newKeySet();
    final Semaphore closes = new Semaphore(0);
    final AtomicLong ids = new AtomicLong();
    volatile Status refuseWith;
    volatile boolean lengthPlusOne;

    @Override
    public void handle(ServerCall call) {
      try {
        WorkerMethod m = WorkerMethod.forNumber(call.method());
        if (m == WorkerMethod.SHORT_CIRCUIT_CHALLENGE) {
          challenges.incrementAndGet();
          byte[] nonce = ShortCircuitToken.newNonce();
          nonces.put(call.channel(), nonce);
          call.respond(ShortCircuitChallengeResponse.newBuilder().setTokenPath(tokenFile().toString())
              .setNonce(ByteString.copyFrom(nonce)).build());
        } else if (m == WorkerMethod.SHORT_CIRCUIT_PROOF) {
          proofs.incrementAndGet();
          byte[] nonce = nonces.remove(call.channel());
          if (nonce == null
              || !token.verify(nonce, call.parse(ShortCircuitProofRequest.parser()).getProof().toByteArray())) {
            wrongProofs.incrementAndGet();
            call.fail(Status.PERMISSION_DENIED, "wrong short-circuit proof");
            return;
          }
          proven.add(call.channel());
          call.respond(ShortCircuitProofResponse.getDefaultInstance());
        } else if (m == WorkerMethod.OPEN_LOCAL_BLOCK) {
          long id = call.parse(OpenLocalBlockRequest.parser()).getBlockId();
          if (!proven.contains(call.channel())) {
            unproven.incrementAndGet();
            call.fail(Status.PERMISSION_DENIED, "connection not proven");
            return;
          }
          if (refuseWith != null || blocks.get(id) == null) {
            refusals.incrementAndGet();
            call.fail(refuseWith != null ? refuseWith : Status.NOT_FOUND, "no lease for block " + id);
            return;
          }
          long lease = ids.incrementAndGet();
          open.add(lease);
          opens.incrementAndGet();
          call.respond(OpenLocalBlockResponse.newBuilder().setPath(file(id).toString())
              .setLength(blocks.get(id).length + (lengthPlusOne ? 1 : 0)).setLeaseId(lease)
              .addAllChunkCrcs(sums(blocks.get(id))).build());
        } else if (m == WorkerMethod.CLOSE_LOCAL_BLOCK) {
          open.remove(call.parse(CloseLocalBlockRequest.parser()).getLeaseId());
          call.respond(CloseLocalBlockResponse.getDefaultInstance());
          closes.release();
        } else {
          blocks.handle(call);
        }
      } catch (RpcException e) {
        call.fail(e);
      }
    }
  }

  /** Where the fake worker keeps its block files: the test's temp dir (a disk), or tmpfs where a test moves them. */
  private Path blockDir;

  private Path file(long blockId) {
    return blockDir.resolve("block-" + blockId);
  }

  private Path tokenFile() {
    return dir.resolve("short-circuit.token");
  }

  @BeforeEach
  void start() throws Exception {
    blockDir = dir;
    RpcOptions opts = RpcOptions.defaults();
    blocks = new FakeWorker();
    worker = new LeasingWorker();
    worker.token.write(tokenFile(), "");
    workerServer = new RpcServer("leasing-worker", new InetSocketAddress("127.0.0.1", 0), worker, opts).start();
    BlockLocation loc = BlockLocation.newBuilder().setWorkerId(1).setAddress(WorkerAddress.newBuilder()
        .setHost("127.0.0.1").setDataPort(workerServer.address().getPort())).build();
    masterServer = new RpcServer("fake-master", new InetSocketAddress("127.0.0.1", 0), new FakeMaster(List.of(loc)),
        opts).start();
    conf = SluiceConf.defaults()
        .with(CommonKeys.MASTER_ADDRESSES, "127.0.0.1:" + masterServer.address().getPort())
        .with(CommonKeys.RPC_CALL_TIMEOUT, "10s")
        .with(ClientKeys.BLOCK_SIZE, "1m")
        .with(ClientKeys.READ_CHUNK_SIZE, "48k")
        .with(ClientKeys.MASTER_RETRY_BUDGET, "2s");
    client = SluiceClient.connect(conf);
    new Random(4).nextBytes(data);
    try (SluiceOutputStream out = client.create("/f")) {
      out.write(data);
    }
    for (BlockMeta b : client.getStatus("/f").getBlocksList()) {
      Files.write(file(b.getBlockId()), blocks.get(b.getBlockId()));
    }
  }

  @AfterEach
  void stop() {
    client.close();
    masterServer.close();
    workerServer.close();
  }

  private List<BlockMeta> blockList() throws RpcException {
    return client.getStatus("/f").getBlocksList();
  }

  private byte[] readAll(SluiceClient c) throws IOException {
    try (SluiceInputStream in = c.open("/f")) {
      return in.readAllBytes();
    }
  }

  /** Waits for the client's CLOSE_LOCAL_BLOCK calls, which it sends without waiting, and checks none is missing. */
  private void assertEveryLeaseClosed() throws InterruptedException {
    assertTrue(worker.closes.tryAcquire(worker.opens.get(), 10, TimeUnit.SECONDS), "a lease was never closed");
    assertEquals(Set.of(), worker.open);
  }

  @Test
  void readsTheBlockFilesWhenAllIsWell() throws Exception {
    long bytes0 = ShortCircuit.bytesRead();
    assertArrayEquals(data, readAll(client));
    byte[] b = new byte[BLOCK];
    try (SluiceInputStream in = client.open("/f")) {
      in.readFully(BLOCK / 2, b, 0, b.length);
    }
    assertArrayEquals(Arrays.copyOfRange(data, BLOCK / 2, BLOCK / 2 + BLOCK), b);
    assertEquals(0, blocks.readStreams.get(), "nothing read over the RPC");
    assertEquals(4 + 2, worker.opens.get());
    assertEquals(data.length + BLOCK, ShortCircuit.bytesRead() - bytes0);
    assertEquals(1, worker.challenges.get(), "one proof for the connection, not one per lease");
    assertEquals(0, worker.unproven.get(), "no open before the proof");
    assertEveryLeaseClosed();
  }

  @Test
  void readsIntoANativeBufferInPlaceAndChecksItThere() throws Exception {
    // As FUSE reads: 128 KiB requests into native memory, the first at an offset inside a chunk.
    ByteBuffer request = ByteBuffer.allocateDirect(128 * 1024);
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    try (SluiceInputStream in = client.open("/f")) {
      in.seek(12_345);
      while (in.read(request.clear()) > 0) {
        byte[] b = new byte[request.flip().remaining()];
        request.get(b);
        got.write(b);
      }
    }
    assertArrayEquals(Arrays.copyOfRange(data, 12_345, data.length), got.toByteArray());
    assertEquals(0, blocks.readStreams.get(), "nothing read over the RPC");

    // A flipped byte on disk is caught in the native buffer too, not passed on.
    flipByte(file(blockList().get(1).getBlockId()), 3 * CHUNK + 10);
    try (SluiceInputStream in = client.open("/f")) {
      in.seek(BLOCK);
      IOException e = assertThrows(IOException.class, () -> {
        while (in.read(request.clear()) > 0) {
          // reads on until the corrupt chunk
        }
      });
      assertTrue(e.getMessage().contains("offset " + 3 * CHUNK), e.getMessage());
    }
  }

  /** What sluice.user.short.circuit.skip.checksum gives up: a byte flipped in a block file here is read as it is. */
  @Test
  void skippingTheChecksumReadsWhatTheFileHolds() throws Exception {
    flipByte(file(blockList().get(1).getBlockId()), 3 * CHUNK + 10);
    byte[] flipped = data.clone();
    flipped[BLOCK + 3 * CHUNK + 10] ^= 0x40;
    try (SluiceClient trusting = SluiceClient.connect(conf.with(ClientKeys.SHORT_CIRCUIT_SKIP_CHECKSUM, "true"))) {
      assertArrayEquals(flipped, readAll(trusting));
    }
    assertEquals(0, blocks.readStreams.get(), "nothing read over the RPC");
    assertThrows(IOException.class, () -> readAll(client), "checked when the key is not set");
  }

  /**
   * As a FUSE mount splicing replies reads: each request's bytes named where they lie in a block file, under the
   * stream's lease, when they all lie in one block; a request across a block's end is read instead, and the stream
   * goes on in order, so it keeps no lease it does not need.
   */
  @Test
  void uncheckedBytesAreNamedWhereTheyLieInTheBlockFiles() throws Exception {
    int request = 96 * 1024;
    int crossing = 0;
    int named = 0;
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    try (SluiceClient trusting = SluiceClient.connect(conf.with(ClientKeys.SHORT_CIRCUIT_SKIP_CHECKSUM, "true"));
        SluiceInputStream in = trusting.open("/f")) {
      for (long off = 0; off < data.length; off += request) {
        int want = (int) Math.min(request, data.length - off);
        boolean oneBlock = off / BLOCK == (off + want - 1) / BLOCK;
        crossing += oneBlock ? 0 : 1;
        in.seek(off);
        LocalBlockRange r = in.readLocal(request);
        assertEquals(oneBlock, r != null, "named at " + off);
        if (r == null) {
          assertEquals(off, in.getPos(), "nothing named, nothing moved");
          byte[] b = new byte[want];
          assertEquals(want, in.readNBytes(b, 0, want));
          got.write(b);
          continue;
        }
        named++;
        assertEquals(want, r.length());
        assertEquals(off % BLOCK, r.offset(), "where the bytes lie in the block file");
        assertFalse(worker.open.isEmpty(), "the range's lease is held while the stream is on it");
        try (FileChannel f = FileChannel.open(r.file())) {
          ByteBuffer b = ByteBuffer.allocate(r.length());
          f.read(b, r.offset());
          got.write(b.array());
        }
        assertEquals(off + want, in.getPos());
      }
      assertNull(in.readLocal(request), "nothing to name at the end of the file");
      // Leases of blocks left behind are closed (without waiting for the worker's answer): only the last block's
      // is kept. A stream that had jumped would keep them all, parked.
      awaitLeases(1);
    }
    assertArrayEquals(data, got.toByteArray());
    assertTrue(crossing >= 2 && named > 20, crossing + " requests across a block's end, " + named + " named");
    assertEquals(0, blocks.readStreams.get(), "nothing read over the RPC");
    assertEveryLeaseClosed();

  }

  /**
   * A range held for a reply still on its way keeps its lease past the stream's moving on and closing, until the
   * last hold is released; a range not held does not.
   */
  @Test
  void aHeldRangeKeepsItsLeaseUntilReleased() throws Exception {
    try (SluiceClient trusting = SluiceClient.connect(conf.with(ClientKeys.SHORT_CIRCUIT_SKIP_CHECKSUM, "true"))) {
      LeaseHold a;
      LeaseHold b;
      LocalBlockRange second;
      try (SluiceInputStream in = trusting.open("/f")) {
        // Read in order, so a block left behind is not parked: its reader closes as the stream moves on.
        LocalBlockRange first = in.readLocal(1000);
        a = first.hold();
        b = first.hold();
        assertNotNull(a);
        assertEquals(1, worker.open.size());
        assertEquals(first.lease(), in.readLocal(BLOCK - 1000).lease(), "the rest of the block, the same lease");
        second = in.readLocal(1000);
        assertNotEquals(first.lease(), second.lease(), "another block, another lease");
        assertNotNull(in.readLocal(BLOCK - 1000));
        assertNotNull(in.readLocal(1000));
        // The second block's lease, never held, ended when the stream moved on; the first one's is held.
        awaitLeases(2);
      }
      awaitLeases(1);
      assertNull(second.hold(), "a lease that ended cannot be held again");
      a.release();
      a.release();
      // A lease asked for on the same connection after those releases: the worker answers calls of a connection in
      // order, so a CLOSE they had sent would have been served first.
      try (SluiceInputStream again = trusting.open("/f")) {
        assertNotNull(again.readLocal(1000));
        assertEquals(2, worker.open.size(), "a second hold keeps the lease (and a second release of one is nothing)");
      }
      awaitLeases(1);
      b.release();
      awaitLeases(0);
    }
    assertEveryLeaseClosed();
  }

  /** Leases are closed without waiting for the worker's answer: polls until {@code n} are open at the worker. */
  private void awaitLeases(int n) throws Exception {
    Poll.until(n + " leases open at the worker", Duration.ofSeconds(10), () -> worker.open.size() == n);
  }

  /**
   * A checking client never names bytes (a named byte never reaches it, so it could not check it), wherever the
   * block file lies, tmpfs as the MEM tier or a disk: it reads them, checked, and a corrupt chunk fails the read.
   */
  @Test
  void checkedBytesAreReadNotNamed() throws Exception {
    Path shm = Files.createTempDirectory(Path.of("/dev/shm"), "sluice-short-circuit-test");
    try {
      for (Path where : List.of(dir, shm)) {
        blockDir = where;
        for (BlockMeta b : blockList()) {
          Files.write(file(b.getBlockId()), blocks.get(b.getBlockId()));
        }
        flipByte(file(blockList().get(1).getBlockId()), 3 * CHUNK + 10);
        try (SluiceInputStream in = client.open("/f")) {
          assertNull(in.readLocal(100_000), "checked bytes on " + Files.getFileStore(where).type() + " named");
          assertEquals(0, in.getPos(), "nothing named, nothing moved");
          byte[] b = new byte[100_000];
          in.readNBytes(b, 0, b.length);
          assertArrayEquals(Arrays.copyOf(data, 100_000), b);
          in.seek(BLOCK + 2 * CHUNK);
          assertNull(in.readLocal(2 * CHUNK));
          IOException e = assertThrows(IOException.class, () -> in.readNBytes(new byte[2 * CHUNK], 0, 2 * CHUNK));
          assertTrue(e.getMessage().contains("offset " + 3 * CHUNK), e.getMessage());
        }
      }
      assertEquals(0, blocks.readStreams.get(), "nothing read over the RPC");
    } finally {
      try (Stream<Path> files = Files.list(shm)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
      Files.delete(shm);
    }
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0x40);
    }
  }

  @Test
  void aClientThatCannotReadTheTokenReadsRemotelyAndAsksNoLease() throws Exception {
    Files.delete(tokenFile()); // as for a client of another OS user: the file is not there for it to read
    long opens0 = ShortCircuit.opens();
    assertArrayEquals(data, readAll(client));
    assertArrayEquals(data, readAll(client));
    assertEquals(8, blocks.readStreams.get(), "every block over the RPC");
    assertEquals(0, worker.opens.get() + worker.unproven.get(), "no lease asked for");
    assertEquals(opens0, ShortCircuit.opens());
    assertEquals(1, worker.challenges.get(), "remembered for the connection: no retry per block");
    assertEquals(0, worker.proofs.get(), "nothing to prove with");
  }

  /**
   * A client running as another OS user (nobody) that may read the block files but not the worker's token (mode
   * 0600): it reads the right bytes, all over the RPC, and asks for no lease. The test runs as root.
   */
  @Test
  void aClientOfAnotherOsUserReadsRemotely() throws Exception {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    long first = blockList().get(0).getBlockId();
    assertTrue(nobodyCanRead(file(first)), "nobody may read the block files");
    assertFalse(nobodyCanRead(tokenFile()), "but not the token");

    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp",
        classPathForNobody(), OtherUserRead.class.getName(),
        "127.0.0.1:" + masterServer.address().getPort(), "/f"));
    Process p = asNobody(cmd.toArray(String[]::new));
    String out;
    try {
      out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    } finally {
      p.destroyForcibly();
    }
    assertEquals(0, p.exitValue(), out);
    String result = out.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow(() ->
        new AssertionError(out));
    assertEquals("RESULT " + Arrays.hashCode(data) + " 0", result, "the right bytes, none by short-circuit");
    assertEquals(1, worker.challenges.get());
    assertEquals(0, worker.proofs.get(), "it could not read the token");
    assertEquals(0, worker.opens.get() + worker.unproven.get(), "no lease asked for");
    assertEquals(4, blocks.readStreams.get());

    assertArrayEquals(data, readAll(client)); // this process's user may
    assertEquals(4, worker.opens.get());
  }

  /** Starts {@code cmd} as the user nobody, its error output merged into its output. */
  private static Process asNobody(String... cmd) throws IOException {
    List<String> all = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
    all.addAll(List.of(cmd));
    return new ProcessBuilder(all).redirectErrorStream(true).start();
  }

  private static boolean nobodyCanRead(Path file) throws Exception {
    return asNobody("test", "-r", file.toString()).waitFor() == 0;
  }

  /** This JVM's class path, its jars (under root's home, closed to others) copied where nobody may read them. */
  private String classPathForNobody() throws IOException {
    Path lib = Files.createDirectories(dir.resolve("lib"));
    List<String> out = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      Path p = Path.of(entry);
      if (Files.isRegularFile(p)) {
        p = Files.copy(p, lib.resolve(out.size() + "-" + p.getFileName()));
      }
      out.add(p.toString());
    }
    return String.join(java.io.File.pathSeparator, out);
  }

  @Test
  void aRejectedProofMeansRemoteReads() throws Exception {
    ShortCircuitToken.generate().write(tokenFile(), ""); // another worker's token: the proof cannot be right
    assertArrayEquals(data, readAll(client));
    assertArrayEquals(data, readAll(client));
    assertEquals(1, worker.wrongProofs.get());
    assertEquals(1, worker.challenges.get(), "remembered for the connection: no retry per block");
    assertEquals(0, worker.opens.get() + worker.unproven.get(), "no lease asked for");
    assertEquals(8, blocks.readStreams.get());
  }

  @Test
  void aNewConnectionProvesItselfAgain() throws Exception {
    assertArrayEquals(data, readAll(client));
    try (SluiceClient other = SluiceClient.connect(conf)) {
      assertArrayEquals(data, readAll(other));
    }
    assertEquals(2, worker.challenges.get());
    assertEquals(8, worker.opens.get());
    assertEquals(0, blocks.readStreams.get());
  }

  @Test
  void aBlockFileDeletedBehindTheWorkersBackIsReadRemotely() throws Exception {
    long second = blockList().get(1).getBlockId();
    Files.delete(file(second));
    assertArrayEquals(data, readAll(client));
    assertEquals(1, blocks.readStreams.get(), "only the missing block over the RPC");
    assertEquals(4, worker.opens.get());
    assertEveryLeaseClosed(); // the lease of the file that could not be opened too
  }

  @Test
  void aFileShorterThanTheLeaseIsReadRemotely() throws Exception {
    worker.lengthPlusOne = true; // the worker claims one byte more than the file has: never read past the file
    long fallbacks0 = ShortCircuit.fallbacks();
    // The master's block length is the real one, so the range asked ends inside the lease: the file is too short.
    assertArrayEquals(data, readAll(client));
    assertEquals(4, blocks.readStreams.get());
    assertEquals(fallbacks0 + 4, ShortCircuit.fallbacks());
    assertEveryLeaseClosed();
  }

  @Test
  void aFileCutWhileBeingReadIsFinishedRemotelyFromWhereItStopped() throws Exception {
    long first = blockList().get(0).getBlockId();
    try (SluiceInputStream in = client.open("/f")) {
      byte[] head = new byte[100_000];
      in.readNBytes(head, 0, head.length);
      assertArrayEquals(Arrays.copyOf(data, head.length), head);
      try (RandomAccessFile f = new RandomAccessFile(file(first).toFile(), "rw")) {
        f.setLength(200_000); // what was read plus some: the reader hits the end of the file mid-block
      }
      byte[] rest = in.readAllBytes();
      assertArrayEquals(Arrays.copyOfRange(data, head.length, data.length), rest);
    }
    assertEquals(1, blocks.readStreams.get(), "the cut block's rest over the RPC");
    // Bytes are checked a whole chunk at a time: the chunk the file ends in cannot be, so it is read remotely.
    assertEquals(200_000 / CHUNK * CHUNK, blocks.readRequests.get(0).getOffset(),
        "resumed at the chunk where the file ended");
    assertEquals(4, worker.opens.get());
    assertEveryLeaseClosed();
  }

  @Test
  void aRefusingWorkerIsAskedOncePerConnection() throws Exception {
    worker.refuseWith = Status.PERMISSION_DENIED;
    assertArrayEquals(data, readAll(client));
    assertArrayEquals(data, readAll(client));
    assertEquals(1, worker.refusals.get(), "the refusal is remembered for the connection");
    assertEquals(8, blocks.readStreams.get());
  }

  @Test
  void aBlockTheWorkerLacksIsAskedForEachTime() throws Exception {
    worker.refuseWith = Status.NOT_FOUND; // not cached there now, maybe later: no memory of it
    assertArrayEquals(data, readAll(client));
    assertEquals(4, worker.refusals.get());
    assertEquals(4, blocks.readStreams.get());
  }

  @Test
  void shortCircuitOffNeverAsks() throws Exception {
    try (SluiceClient off = SluiceClient.connect(conf.with(ClientKeys.SHORT_CIRCUIT_ENABLED, "false"))) {
      assertArrayEquals(data, readAll(off));
    }
    assertEquals(0, worker.opens.get() + worker.refusals.get());
    assertEquals(4, blocks.readStreams.get());
  }
}
