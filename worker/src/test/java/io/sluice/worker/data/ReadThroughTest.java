package io.sluice.worker.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.sluice.common.checksum.ChunkChecksums;
import io.sluice.common.proto.GetStatusRequest;
import io.sluice.common.proto.GetStatusResponse;
import io.sluice.common.proto.MountInfo;
import io.sluice.common.proto.ReadBlockRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.UfsBlockSource;
import io.sluice.common.proto.WorkerMethod;
import io.sluice.common.rpc.ClientStream;
import io.sluice.common.rpc.Frame;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.rpc.RpcServer;
import io.sluice.common.rpc.StreamListener;
import io.sluice.common.rpc.Transport;
import io.sluice.worker.block.BlockStore;
import io.sluice.worker.block.LruPolicy;
import io.sluice.worker.block.TempBlock;
import io.sluice.worker.block.TierSpec;
import io.sluice.worker.block.Watermarks;
import io.sluice.worker.ufs.CountingUfs;
import io.sluice.worker.ufs.ReadThrough;
import io.sluice.worker.ufs.ReadThroughStats;
import io.sluice.worker.ufs.UfsBlockReader;
import io.sluice.worker.ufs.UfsMounts;
import java.io.ByteArrayOutputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * UFS read-through (DESIGN 5) over real sockets, on epoll and NIO, with a real local UFS in a temp dir. The UFS is
 * wrapped only to count opens and, where a test must act in the middle of a load, to hold the load's stream at a
 * given byte until the test lets it go.
 */
class ReadThroughTest {
  private static final int CHUNK = ChunkChecksums.CHUNK;
  private static final long BLOCK = 7;

  @TempDir
  Path dir;

  private Path ufsRoot;
  private BlockStore store;
  private final List<CountingUfs> created = CountingUfs.list();
  private final ReadThroughStats stats = new ReadThroughStats();
  private final DataTraffic traffic = new DataTraffic();
  private final Set<Long> reported = ConcurrentHashMap.newKeySet();
  private final List<RpcClient> clients = new ArrayList<>();
  private UfsMounts mounts;
  private ReadThrough readThrough;
  private RpcServer server;
  private RpcOptions opts;
  private RpcClient client;

  private void start(Transport t) throws Exception {
    start(t, 256L << 20);
  }

  private void start(Transport t, long capacity) throws Exception {
    start(t, new BlockStore(dir.resolve("store"), capacity, false));
  }

  private void start(Transport t, BlockStore s) throws Exception {
    ufsRoot = Files.createDirectories(dir.resolve("ufs"));
    store = s;
    store.open();
    mounts = new UfsMounts(() -> List.of(MountInfo.newBuilder().setMountId(1).setPath("/data")
        .setUfsUri(ufsRoot.toUri().toString()).build()), CountingUfs.registry(created));
    readThrough = new ReadThrough(store, new UfsBlockReader(mounts, stats), id -> {
      reported.add(id);
      return CompletableFuture.completedFuture(null);
    }, 4, 16 * 1024);
    opts = RpcOptions.defaults().withTransport(t).withCallTimeout(Duration.ofSeconds(20));
    LocalClientCheck check = LocalClientCheck.create(dir.resolve("sc.token"), "");
    server = new RpcServer("worker-data", new InetSocketAddress("127.0.0.1", 0),
        new DataHandler(store, CHUNK, id -> CompletableFuture.completedFuture(null), traffic, readThrough, stats,
            shortCircuit = new ShortCircuitLeases(store, stats, check, 1024, loadWait), TransferMode.ZERO_COPY,
            opts),
        opts).start();
    client = connect();
  }

  /** How long a short-circuit open waits for a load; a test may shorten it before start. */
  private Duration loadWait = Duration.ofSeconds(20);
  private ShortCircuitLeases shortCircuit;

  private RpcClient connect() throws Exception {
    RpcClient c = RpcClient.connect(server.address(), opts);
    clients.add(c);
    ShortCircuitProver.prove(c); // so that any connection may take short-circuit leases
    return c;
  }

  @AfterEach
  void stop() {
    clients.forEach(RpcClient::close);
    if (server != null) {
      server.close();
    }
    if (readThrough != null) {
      readThrough.close();
    }
    if (mounts != null) {
      mounts.close();
    }
  }

  private byte[] ufsFile(String name, int size, int seed) throws Exception {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    Files.write(ufsRoot.resolve(name), data);
    return data;
  }

  private static UfsBlockSource src(String path, long offset, long length) {
    return UfsBlockSource.newBuilder().setMountId(1).setUfsPath(path).setOffset(offset).setLength(length).build();
  }

  private CountingUfs ufs() {
    assertEquals(1, created.size(), "one connector for the mount");
    return created.get(0);
  }

  /**
   * A read stream collecting exactly its range and checking that frames are contiguous. Frames of a cached block
   * hold whole checksum chunks with their checksums (checked here), so they may start before the range and end after
   * it; frames streamed from the UFS carry no checksums and hold the range only.
   */
  private static final class Reader implements StreamListener {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final BlockingQueue<Long> offsets = new LinkedBlockingQueue<>();
    final ClientStream stream;
    final long end;
    long next;

    Reader(RpcClient c, long blockId, long offset, long length, UfsBlockSource src, boolean noCache, int credits) {
      next = offset;
      end = length < 0 ? Long.MAX_VALUE : offset + length;
      stream = c.openStream(WorkerMethod.READ_BLOCK_VALUE, ReadBlockRequest.newBuilder().setBlockId(blockId)
          .setOffset(offset).setLength(length).setUfs(src).setNoCache(noCache).build(), credits, this);
    }

    @Override
    public void onData(Frame frame) {
      try {
        long at = frame.header().getOffset();
        byte[] b = ByteBufUtil.getBytes(frame.data());
        List<Integer> sums = frame.header().getChunkCrcsList();
        if (!sums.isEmpty()) {
          assertEquals(next / CHUNK * CHUNK, at, "a checksummed frame starts at the chunk holding the next byte");
          for (int i = 0, o = 0; o < b.length; i++, o += CHUNK) {
            CRC32C c = new CRC32C();
            c.update(b, o, Math.min(CHUNK, b.length - o));
            assertEquals((int) c.getValue(), sums.get(i), "chunk at " + (at + o));
          }
        } else {
          assertEquals(next, at);
        }
        int from = (int) (next - at);
        int to = (int) Math.min(b.length, end - at);
        out.write(b, from, to - from);
        next = at + to;
        offsets.add(at);
      } finally {
        frame.release();
      }
    }

    byte[] await() throws Exception {
      RpcClient.await(stream.response()).release();
      return out.toByteArray();
    }
  }

  private byte[] read(long offset, long length, UfsBlockSource src) throws Exception {
    return new Reader(client, BLOCK, offset, length, src, false, 1 << 20).await();
  }

  private byte[] readUncached(long offset, long length, UfsBlockSource src) throws Exception {
    return new Reader(client, BLOCK, offset, length, src, true, 1 << 20).await();
  }

  private static byte[] slice(byte[] data, long from, long length) {
    return Arrays.copyOfRange(data, (int) from, (int) (from + length));
  }

  private void assertNotHeld() throws Exception {
    assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class, () -> store.length(BLOCK)).status());
    try (Stream<Path> s = Files.list(dir.resolve("store").resolve("tmp"))) {
      assertEquals(0, s.count(), "temp block left behind");
    }
  }

  /** Waits for a condition the server reaches asynchronously (not a timing assertion). */
  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(5);
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aColdReadStreamsTheUfsBytesAndKeepsTheBlock(Transport t) throws Exception {
    start(t);
    byte[] file = ufsFile("f", 3 << 20, 1);
    long offset = 1 << 20;
    int length = 5 * CHUNK + 777;
    UfsBlockSource src = src("f", offset, length);

    assertArrayEquals(slice(file, offset, length), read(0, -1, src));
    assertEquals(length, store.length(BLOCK), "committed before the reader was answered");
    await(() -> reported.contains(BLOCK), "reported to the master like a written block (after waking the reader)");
    assertEquals(1, ufs().opens.get());
    assertEquals(length, stats.ufsBytesRead());
    assertEquals(1, stats.misses());
    assertEquals(0, stats.hits());
    // This server sends zero copy, read-through frames too (under TLS they are copies: TlsDataServerTest).
    await(() -> traffic.bytesSentZeroCopy() == length, "the read-through frames sent as regions");

    Files.delete(ufsRoot.resolve("f"));
    assertArrayEquals(slice(file, offset, length), read(0, -1, src), "served from the cache");
    assertArrayEquals(slice(file, offset + 10, 1000), read(10, 1000, src));
    assertEquals(1, ufs().opens.get());
    assertEquals(1, stats.misses());
    assertEquals(2, stats.hits());
    await(() -> readThrough.loadsRunning() == 0, "the load to leave the registry after waking its readers");
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aRangeInTheMiddleOfAMissingBlockIsServedAndTheWholeBlockKept(Transport t) throws Exception {
    start(t);
    byte[] file = ufsFile("dir-less-name", 4 * CHUNK + 5, 2);
    UfsBlockSource src = src("dir-less-name", 0, file.length);
    assertArrayEquals(slice(file, CHUNK + 3, 2 * CHUNK + 1), read(CHUNK + 3, 2 * CHUNK + 1, src));
    assertEquals(file.length, store.length(BLOCK));
    Files.delete(ufsRoot.resolve("dir-less-name"));
    assertArrayEquals(file, read(0, -1, src));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void concurrentReadersOfAMissingBlockShareOneUfsRead(Transport t) throws Exception {
    start(t);
    Files.createDirectories(ufsRoot.resolve("sub"));
    byte[] file = ufsFile("sub/g", 6 * CHUNK + 1, 3);
    UfsBlockSource src = src("sub/g", 0, file.length);
    mounts.get(1).getStatus(io.sluice.ufs.UfsPath.ROOT); // open the connector, to hold its streams
    ufs().pauseAfter(0);
    List<Reader> readers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      RpcClient c = i % 2 == 0 ? connect() : client;
      long from = i * 1000L;
      readers.add(new Reader(c, BLOCK, from, -1, src, false, 1 << 20));
    }
    // Every reader has joined once each is counted as a miss; the load is still held at byte 0.
    await(() -> stats.misses() == 6, "six readers to join");
    ufs().awaitPaused();
    ufs().resume();
    for (int i = 0; i < readers.size(); i++) {
      assertArrayEquals(slice(file, i * 1000L, file.length - i * 1000L), readers.get(i).await());
    }
    assertEquals(1, ufs().opens.get(), "one UFS read for all readers");
    assertEquals(file.length, stats.ufsBytesRead());
    assertEquals(0, stats.hits());
    assertEquals(file.length, store.length(BLOCK));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void readersGetTheFirstChunksBeforeTheLoadEnds(Transport t) throws Exception {
    start(t);
    byte[] file = ufsFile("h", 8 * CHUNK, 4);
    UfsBlockSource src = src("h", 0, file.length);
    mounts.get(1);
    ufs().pauseAfter(2 * CHUNK + 100);
    Reader r = new Reader(client, BLOCK, 0, -1, src, false, 1 << 20);
    assertEquals(0L, r.offsets.poll(20, TimeUnit.SECONDS));
    assertEquals((long) CHUNK, r.offsets.poll(20, TimeUnit.SECONDS));
    ufs().awaitPaused();
    assertFalse(r.stream.response().isDone());
    assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class, () -> store.length(BLOCK)).status());
    ufs().resume();
    assertArrayEquals(file, r.await());
    assertEquals(file.length, store.length(BLOCK));
  }

  /** A load writes over a freed MEM file full of another block's bytes: followers must see only the new ones. */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void followersOfALoadOntoAReusedMemFileReadOnlyWhatTheLoadWrote(Transport t) throws Exception {
    start(t, new BlockStore(TierSpec.parse("MEM:" + dir.resolve("store") + ":" + (64 << 20)), false,
        Watermarks.DEFAULT, new LruPolicy(Clock.systemUTC())));
    byte[] file = ufsFile("m", 8 * CHUNK, 17);
    byte[] stale = new byte[file.length];
    Arrays.fill(stale, (byte) 0x5a);
    TempBlock old = store.create(BLOCK + 1, stale.length);
    ByteBuf buf = Unpooled.wrappedBuffer(stale);
    try {
      old.append(buf);
    } finally {
      buf.release();
    }
    old.commit();
    Object inode = Files.getAttribute(store.path(BLOCK + 1), "unix:ino");
    store.delete(BLOCK + 1); // pooled: the next block in the directory is written over it
    UfsBlockSource src = src("m", 0, file.length);
    mounts.get(1);
    ufs().pauseAfter(2 * CHUNK + 100);
    Reader r = new Reader(client, BLOCK, 0, -1, src, false, 1 << 20);
    ufs().awaitPaused();
    assertEquals(inode, Files.getAttribute(tempFile(), "unix:ino"), "the load writes over the freed file");
    ufs().resume();
    assertArrayEquals(file, r.await());
    assertEquals(file.length, Files.size(store.path(BLOCK)));
    assertArrayEquals(file, Files.readAllBytes(store.path(BLOCK)));
  }

  private Path tempFile() throws Exception {
    try (Stream<Path> s = Files.list(dir.resolve("store").resolve("tmp"))) {
      return s.findFirst().orElseThrow();
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aFollowerSendsOnlyWhatTheClientGranted(Transport t) throws Exception {
    start(t);
    byte[] file = ufsFile("c", 4 * CHUNK, 5);
    Reader r = new Reader(client, BLOCK, 0, -1, src("c", 0, file.length), false, 1);
    assertEquals(0L, r.offsets.poll(20, TimeUnit.SECONDS));
    await(() -> readThrough.loadsRunning() == 0, "the load to end"); // so all bytes could be sent
    // Barrier: the server handles this call after anything it would have sent for the stream.
    assertThrows(RpcException.class, () -> client.call(99, GetStatusRequest.getDefaultInstance(),
        GetStatusResponse.parser()));
    assertTrue(r.offsets.isEmpty(), "the worker sent past its credit");
    r.stream.grant(3);
    assertArrayEquals(file, r.await());
  }

  @Test
  void aUfsFileShorterThanTheBlockIsStaleAndNothingIsKept() throws Exception {
    start(Transport.NIO);
    ufsFile("short", 100_000, 6);
    RpcException e = assertThrows(RpcException.class, () -> read(0, -1, src("short", 0, 200_000)));
    assertEquals(Status.STALE, e.status());
    assertTrue(e.getMessage().contains("the UFS file changed"), e.getMessage());
    assertNotHeld();
    assertEquals(0, stats.ufsErrors(), "a changed file is no store failure");
  }

  @Test
  void aUfsFileThatShrinksDuringTheLoadIsStaleAndNothingIsKept() throws Exception {
    start(Transport.NIO);
    ufsFile("shrinks", 5 * CHUNK, 7);
    mounts.get(1);
    ufs().pauseAfter(CHUNK);
    Reader r = new Reader(client, BLOCK, 0, -1, src("shrinks", 0, 5 * CHUNK), false, 1 << 20);
    ufs().awaitPaused();
    try (RandomAccessFile f = new RandomAccessFile(ufsRoot.resolve("shrinks").toFile(), "rw")) {
      f.setLength(2 * CHUNK);
    }
    ufs().resume();
    RpcException e = assertThrows(RpcException.class, r::await);
    assertEquals(Status.STALE, e.status());
    assertTrue(e.getMessage().contains("the UFS file changed"), e.getMessage());
    assertNotHeld();
  }

  @Test
  void aFileWithAnotherFingerprintIsStale() throws Exception {
    start(Transport.NIO);
    ufsFile("fp", 1000, 8);
    UfsBlockSource src = src("fp", 0, 1000).toBuilder().setFingerprint("1000@0#old").build();
    assertEquals(Status.STALE, assertThrows(RpcException.class, () -> read(0, -1, src)).status());
    assertNotHeld();
    String now = mounts.get(1).getStatus(io.sluice.ufs.UfsPath.parse("fp")).orElseThrow().fingerprint();
    assertEquals(1000, read(0, -1, src.toBuilder().setFingerprint(now).build()).length);
  }

  @Test
  void aDeletedFileIsStale() throws Exception {
    start(Transport.NIO);
    RpcException e = assertThrows(RpcException.class, () -> read(0, -1, src("never", 0, 10)));
    assertEquals(Status.STALE, e.status());
    assertNotHeld();
  }

  @Test
  void aUfsWhoseRootIsGoneIsAUfsErrorAndNothingIsKept() throws Exception {
    start(Transport.NIO);
    byte[] file = ufsFile("a", 1000, 9);
    assertArrayEquals(file, new Reader(client, 1, 0, -1, src("a", 0, 1000), false, 8).await());
    try (Stream<Path> all = Files.walk(ufsRoot)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    RpcException e = assertThrows(RpcException.class, () -> read(0, -1, src("a", 0, 1000)));
    assertEquals(Status.UFS_ERROR, e.status());
    assertNotHeld();
    assertEquals(1, stats.ufsErrors());
  }

  @Test
  void anUnknownMountIsStale() throws Exception {
    start(Transport.NIO);
    UfsBlockSource src = src("a", 0, 10).toBuilder().setMountId(42).build();
    RpcException e = assertThrows(RpcException.class, () -> read(0, -1, src));
    assertEquals(Status.STALE, e.status());
    assertEquals("mount 42 is gone", e.getMessage());
    assertNotHeld();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void noCacheStreamsFromTheUfsAndKeepsNothing(Transport t) throws Exception {
    start(t);
    byte[] file = ufsFile("n", 3 * CHUNK + 11, 10);
    UfsBlockSource src = src("n", 100, file.length - 200);
    assertArrayEquals(slice(file, 100, file.length - 200), readUncached(0, -1, src));
    assertArrayEquals(slice(file, 100 + CHUNK - 5, CHUNK + 10), readUncached(CHUNK - 5, CHUNK + 10, src));
    assertNotHeld();
    assertEquals(2, ufs().opens.get(), "nothing cached: each read goes to the UFS");
    assertEquals(2, stats.misses());
    assertEquals(file.length - 200 + CHUNK + 10, stats.ufsBytesRead(), "read before sent");
  }

  @Test
  void anUncachedReadSendsOnlyWhatTheClientGranted() throws Exception {
    start(Transport.NIO);
    byte[] file = ufsFile("u", 4 * CHUNK, 11);
    Reader r = new Reader(client, BLOCK, 0, -1, src("u", 0, file.length), true, 1);
    assertEquals(0L, r.offsets.poll(20, TimeUnit.SECONDS));
    assertThrows(RpcException.class, () -> client.call(99, GetStatusRequest.getDefaultInstance(),
        GetStatusResponse.parser()));
    assertTrue(r.offsets.isEmpty(), "the worker sent past its credit");
    r.stream.grant(3);
    assertArrayEquals(file, r.await());
  }

  @Test
  void aReaderWithAnotherSourceThanTheRunningLoadReadsItsOwn() throws Exception {
    start(Transport.NIO);
    byte[] file = ufsFile("v", 4 * CHUNK, 16);
    mounts.get(1);
    ufs().pauseAfter(CHUNK);
    Reader loading = new Reader(client, BLOCK, 0, -1, src("v", 0, 3 * CHUNK), false, 1 << 20);
    ufs().awaitPaused();
    ufs().stopPausing(); // the second reader's own UFS stream runs freely
    assertArrayEquals(slice(file, CHUNK, 3 * CHUNK), new Reader(client, BLOCK, 0, -1, src("v", CHUNK, 3 * CHUNK),
        false, 1 << 20).await());
    assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class, () -> store.length(BLOCK)).status());
    ufs().resume();
    assertArrayEquals(slice(file, 0, 3 * CHUNK), loading.await());
    assertEquals(3 * CHUNK, store.length(BLOCK));
    assertEquals(2, ufs().opens.get());
  }

  @Test
  void withNoRoomInTheStoreTheBlockIsStreamedWithoutKeepingIt() throws Exception {
    start(Transport.NIO, 100_000);
    byte[] file = ufsFile("big", 300_000, 12);
    assertArrayEquals(file, read(0, -1, src("big", 0, file.length)));
    assertNotHeld();
    assertEquals(1, stats.misses());
  }

  @Test
  void aReaderLeavingDoesNotStopTheLoadOthersFollow() throws Exception {
    start(Transport.NIO);
    byte[] file = ufsFile("l", 6 * CHUNK, 13);
    UfsBlockSource src = src("l", 0, file.length);
    mounts.get(1);
    ufs().pauseAfter(CHUNK);
    RpcClient leaving = connect();
    Reader first = new Reader(leaving, BLOCK, 0, -1, src, false, 1 << 20);
    ufs().awaitPaused();
    Reader second = new Reader(client, BLOCK, 0, -1, src, false, 1 << 20);
    await(() -> stats.misses() == 2, "the second reader to join");
    leaving.close();
    assertThrows(RpcException.class, first::await);
    ufs().resume();
    assertArrayEquals(file, second.await());
    assertEquals(file.length, store.length(BLOCK));
    assertEquals(1, ufs().opens.get());
  }

  @Test
  void aLoadWithNoReadersLeftStillCachesTheBlock() throws Exception {
    start(Transport.NIO);
    byte[] file = ufsFile("o", 6 * CHUNK, 14);
    mounts.get(1);
    ufs().pauseAfter(CHUNK);
    RpcClient leaving = connect();
    Reader r = new Reader(leaving, BLOCK, 0, -1, src("o", 0, file.length), false, 1 << 20);
    ufs().awaitPaused();
    r.stream.cancel();
    leaving.close();
    ufs().resume();
    await(() -> readThrough.loadsRunning() == 0, "the load to end");
    assertEquals(file.length, store.length(BLOCK));
    Files.delete(ufsRoot.resolve("o"));
    assertArrayEquals(file, read(0, -1, src("o", 0, file.length)));
  }

  @Test
  void aReadWithoutAUfsSourceOfAMissingBlockIsStillNotFound() throws Exception {
    start(Transport.NIO);
    ClientStream s = client.openStream(WorkerMethod.READ_BLOCK_VALUE, ReadBlockRequest.newBuilder()
        .setBlockId(BLOCK).setLength(-1).build(), 1, new StreamListener() {
          @Override
          public void onData(Frame frame) {
            frame.release();
          }
        });
    assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class, () -> RpcClient.await(s.response())).status());
    assertEquals(0, stats.misses());
  }

  @Test
  void aRangeOutsideTheUfsBlockIsRefused() throws Exception {
    start(Transport.NIO);
    ufsFile("r", 1000, 15);
    assertEquals(Status.INVALID_ARGUMENT, assertThrows(RpcException.class,
        () -> read(500, 501, src("r", 0, 1000))).status());
    assertEquals(0, created.size(), "refused before touching the UFS");
  }

  private io.sluice.common.proto.OpenLocalBlockResponse openLocal(RpcClient c, UfsBlockSource src)
      throws RpcException {
    io.sluice.common.proto.OpenLocalBlockRequest.Builder req =
        io.sluice.common.proto.OpenLocalBlockRequest.newBuilder().setBlockId(BLOCK);
    if (src != null) {
      req.setUfs(src);
    }
    return c.call(WorkerMethod.OPEN_LOCAL_BLOCK_VALUE, req.build(),
        io.sluice.common.proto.OpenLocalBlockResponse.parser());
  }

  @Test
  void aShortCircuitOpenOfAMissingBlockReadsItThroughAndLeasesTheCachedFile() throws Exception {
    start(Transport.NIO);
    byte[] file = ufsFile("sc", 3 * CHUNK + 11, 9);
    UfsBlockSource src = src("sc", 0, file.length);
    assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class, () -> openLocal(client, null)).status(),
        "without a source a missing block is not loaded");

    mounts.get(1);
    ufs().pauseAfter(CHUNK);
    java.util.concurrent.CompletableFuture<io.sluice.common.proto.OpenLocalBlockResponse> open =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> {
          try {
            return openLocal(client, src);
          } catch (RpcException e) {
            throw new java.util.concurrent.CompletionException(e);
          }
        });
    Reader follower = new Reader(connect(), BLOCK, 0, -1, src, false, 1 << 20);
    ufs().awaitPaused();
    assertFalse(open.isDone(), "answered only once the block is cached");
    // The follower's request is on its way: let it join the load (a miss) before the load can finish.
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (stats.misses() < 2) {
      assertTrue(System.nanoTime() < deadline, "the follower's read did not arrive within 10s");
      Thread.sleep(5);
    }
    ufs().resume();
    io.sluice.common.proto.OpenLocalBlockResponse lease = open.get(20, TimeUnit.SECONDS);
    assertEquals(file.length, lease.getLength());
    assertArrayEquals(file, Files.readAllBytes(Path.of(lease.getPath())), "the leased file is the cached block");
    assertArrayEquals(file, follower.await());
    assertEquals(1, ufs().opens.get(), "the open and the reader shared one load");
    assertEquals(2, stats.misses());
    assertEquals(file.length, store.length(BLOCK));

    assertEquals(file.length, openLocal(connect(), src).getLength(), "cached now: leased at once");
    assertEquals(1, ufs().opens.get());
    assertEquals(1, stats.hits());
  }

  private io.sluice.common.proto.OpenLocalBlockResponse follow(RpcClient c, UfsBlockSource src) throws RpcException {
    return c.call(WorkerMethod.OPEN_LOCAL_BLOCK_VALUE, io.sluice.common.proto.OpenLocalBlockRequest.newBuilder()
        .setBlockId(BLOCK).setUfs(src).setFollow(true).build(), io.sluice.common.proto.OpenLocalBlockResponse.parser());
  }

  private CompletableFuture<io.sluice.common.proto.WaitLocalBlockResponse> waitFor(long leaseId, long offset,
      int firstChunk) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return client.call(WorkerMethod.WAIT_LOCAL_BLOCK_VALUE, io.sluice.common.proto.WaitLocalBlockRequest
            .newBuilder().setLeaseId(leaseId).setOffset(offset).setFirstChunk(firstChunk).build(),
            io.sluice.common.proto.WaitLocalBlockResponse.parser());
      } catch (RpcException e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    });
  }

  /** The CRC32C of each whole chunk of {@code data[0, upTo)} from chunk {@code from} on (and of a short last one). */
  private static List<Integer> sums(byte[] data, int from, long upTo) {
    List<Integer> out = new ArrayList<>();
    for (long at = (long) from * CHUNK; at < upTo && (at + CHUNK <= upTo || upTo == data.length); at += CHUNK) {
      CRC32C c = new CRC32C();
      c.update(data, (int) at, (int) Math.min(CHUNK, data.length - at));
      out.add((int) c.getValue());
    }
    return out;
  }

  @Test
  void aFollowOpenLeasesTheFileBeingFilledAndEachWaitAnswersAsTheLoadGoes() throws Exception {
    start(Transport.NIO);
    byte[] file = ufsFile("fl", 5 * CHUNK + 123, 21);
    UfsBlockSource src = src("fl", 0, file.length);
    mounts.get(1);
    ufs().pauseAfter(2 * CHUNK + 100);
    io.sluice.common.proto.OpenLocalBlockResponse lease = follow(client, src);
    ufs().awaitPaused();
    assertTrue(lease.getLoading(), "answered while the block loads");
    assertEquals(file.length, lease.getLength());
    long available = lease.getAvailable();
    assertTrue(available <= 2 * CHUNK + 100, "no more than the UFS gave: " + available);
    assertEquals(sums(file, 0, available), lease.getChunkCrcsList(), "the sums of the whole chunks in the file");
    byte[] head = new byte[(int) available];
    try (RandomAccessFile f = new RandomAccessFile(lease.getPath(), "r")) {
      f.readFully(head);
    }
    assertArrayEquals(Arrays.copyOf(file, head.length), head, "the leased file holds what the load wrote");

    int known = lease.getChunkCrcsCount();
    CompletableFuture<io.sluice.common.proto.WaitLocalBlockResponse> rest = waitFor(lease.getLeaseId(), 4 * CHUNK,
        known);
    Thread.sleep(200);
    assertFalse(rest.isDone(), "a wait for bytes the UFS has not given is not answered");
    ufs().resume();
    io.sluice.common.proto.WaitLocalBlockResponse more = rest.get(20, TimeUnit.SECONDS);
    assertTrue(more.getAvailable() >= 4 * CHUNK, "answered once the file holds the bytes asked for");
    assertEquals(sums(file, known, more.getAvailable()), more.getChunkCrcsList());
    known += more.getChunkCrcsCount();
    await(() -> readThrough.loadsRunning() == 0, "the load to end");
    io.sluice.common.proto.WaitLocalBlockResponse end = waitFor(lease.getLeaseId(), file.length, known)
        .get(20, TimeUnit.SECONDS);
    assertFalse(end.getLoading(), "the load ended");
    assertEquals(file.length, end.getAvailable());
    assertEquals(sums(file, known, file.length), end.getChunkCrcsList(), "every remaining sum, the short last too");
    assertArrayEquals(file, Files.readAllBytes(store.path(BLOCK)));
    assertEquals(store.path(BLOCK).toAbsolutePath().toString(), lease.getCommittedPath(),
        "the lease named where the load puts the file");
    assertFalse(Files.exists(Path.of(lease.getPath())), "the temp file was renamed there");
    assertEquals(1, ufs().opens.get());
    assertEquals(1, stats.misses());
    assertEquals(1, shortCircuit.held(), "the lease outlives the load");
    assertEquals(Status.INVALID_ARGUMENT, assertThrows(RpcException.class, () -> client.call(
        WorkerMethod.WAIT_LOCAL_BLOCK_VALUE, io.sluice.common.proto.WaitLocalBlockRequest.newBuilder()
            .setLeaseId(openLocal(client, null).getLeaseId()).build(),
        io.sluice.common.proto.WaitLocalBlockResponse.parser())).status(), "a plain lease has nothing to wait for");
    assertEquals(2, shortCircuit.held());
    client.close();
    await(() -> shortCircuit.held() == 0, "the connection's leases to end with it");
  }

  /** A slow UFS never runs a follower's wait into its call timeout: the worker answers with what the file holds. */
  @Test
  void aWaitTheLoadDoesNotReachIsAnsweredWithWhatTheFileHoldsAfterTheLoadWait() throws Exception {
    loadWait = Duration.ofMillis(300);
    start(Transport.NIO);
    byte[] file = ufsFile("slowf", 4 * CHUNK, 23);
    mounts.get(1);
    ufs().pauseAfter(CHUNK + 10);
    io.sluice.common.proto.OpenLocalBlockResponse lease = follow(client, src("slowf", 0, file.length));
    ufs().awaitPaused();
    io.sluice.common.proto.WaitLocalBlockResponse r = waitFor(lease.getLeaseId(), file.length,
        lease.getChunkCrcsCount()).get(20, TimeUnit.SECONDS);
    assertTrue(r.getLoading());
    assertTrue(r.getAvailable() < file.length, "answered before the bytes asked for: " + r.getAvailable());
    assertEquals(sums(file, lease.getChunkCrcsCount(), r.getAvailable()), r.getChunkCrcsList());
    ufs().resume();
    await(() -> readThrough.loadsRunning() == 0, "the load to end");
    assertArrayEquals(file, Files.readAllBytes(store.path(BLOCK)));
  }

  @Test
  void closingAFollowLeaseFailsItsPendingWaitAndLetsTheLoadFinish() throws Exception {
    start(Transport.NIO);
    byte[] file = ufsFile("closef", 4 * CHUNK, 24);
    mounts.get(1);
    ufs().pauseAfter(CHUNK + 10);
    io.sluice.common.proto.OpenLocalBlockResponse lease = follow(client, src("closef", 0, file.length));
    ufs().awaitPaused();
    CompletableFuture<io.sluice.common.proto.WaitLocalBlockResponse> pending = waitFor(lease.getLeaseId(),
        file.length, 0);
    Thread.sleep(100);  // let the wait reach the worker; if it comes after the close it is NOT_FOUND all the same
    client.call(WorkerMethod.CLOSE_LOCAL_BLOCK_VALUE, io.sluice.common.proto.CloseLocalBlockRequest.newBuilder()
        .setLeaseId(lease.getLeaseId()).build(), io.sluice.common.proto.CloseLocalBlockResponse.parser());
    java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
        () -> pending.get(20, TimeUnit.SECONDS));
    assertEquals(Status.NOT_FOUND, ((RpcException) e.getCause()).status());
    assertEquals(0, shortCircuit.held());
    ufs().resume();
    await(() -> readThrough.loadsRunning() == 0, "the load to end");
    assertArrayEquals(file, Files.readAllBytes(store.path(BLOCK)), "cached with nobody following");
  }

  @Test
  void aFollowOpenOfAChangedUfsFileGetsTheLoadsStaleAndHoldsNothing() throws Exception {
    start(Transport.NIO);
    ufsFile("chg", 3 * CHUNK, 22);
    UfsBlockSource src = src("chg", 0, 3 * CHUNK).toBuilder().setFingerprint("1@0#old").build();
    RpcException e = assertThrows(RpcException.class, () -> {
      io.sluice.common.proto.OpenLocalBlockResponse lease = follow(client, src);
      // Answered before the load found the change: the wait gets its error.
      try {
        waitFor(lease.getLeaseId(), 1, 0).get(20, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException ee) {
        throw (RpcException) ee.getCause();
      }
    });
    assertEquals(Status.STALE, e.status());
    await(() -> readThrough.loadsRunning() == 0, "the load to end");
    assertNotHeld();
  }

  @Test
  void aShortCircuitOpenOfAChangedUfsFileIsStaleAndKeepsNothing() throws Exception {
    start(Transport.NIO);
    ufsFile("old", 1000, 10);
    UfsBlockSource src = src("old", 0, 1000).toBuilder().setFingerprint("1000@0#old").build();
    assertEquals(Status.STALE, assertThrows(RpcException.class, () -> openLocal(client, src)).status());
    assertNotHeld();
  }

  @Test
  void aShortCircuitOpenWaitingTooLongForTheLoadIsToldToReadRemotelyAndHoldsNoLease() throws Exception {
    loadWait = Duration.ofMillis(200);
    start(Transport.NIO);
    byte[] file = ufsFile("slow", 3 * CHUNK, 11);
    UfsBlockSource src = src("slow", 0, file.length);
    mounts.get(1);
    ufs().pauseAfter(CHUNK);
    RpcException e = assertThrows(RpcException.class, () -> openLocal(client, src));
    assertEquals(Status.NOT_FOUND, e.status());
    assertTrue(e.getMessage().contains("still being cached"), e.getMessage());
    ufs().resume();
    assertArrayEquals(file, read(0, -1, src), "the remote read joins the load");
    assertEquals(1, ufs().opens.get());
    assertEquals(file.length, store.length(BLOCK));
    assertEquals(0, shortCircuit.held(), "no lease was left behind");
  }
}
