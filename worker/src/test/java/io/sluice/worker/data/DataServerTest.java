package io.sluice.worker.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.sluice.common.checksum.ChunkChecksums;
import io.sluice.common.proto.GetStatusRequest;
import io.sluice.common.proto.GetStatusResponse;
import io.sluice.common.proto.OpenLocalBlockRequest;
import io.sluice.common.proto.OpenLocalBlockResponse;
import io.sluice.common.proto.ReadBlockRequest;
import io.sluice.common.proto.ReportCorruptBlockRequest;
import io.sluice.common.proto.ReportCorruptBlockResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerMethod;
import io.sluice.common.proto.WriteBlockRequest;
import io.sluice.common.proto.WriteBlockResponse;
import io.sluice.common.rpc.ClientStream;
import io.sluice.common.rpc.Frame;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.rpc.RpcServer;
import io.sluice.common.rpc.StreamListener;
import io.sluice.common.rpc.Transport;
import io.sluice.ufs.UfsRegistry;
import io.sluice.worker.block.BlockListener;
import io.sluice.worker.block.BlockStore;
import io.sluice.worker.block.LruPolicy;
import io.sluice.worker.block.TierSpec;
import io.sluice.worker.block.Watermarks;
import io.sluice.worker.ufs.ReadThrough;
import io.sluice.worker.ufs.ReadThroughStats;
import io.sluice.worker.ufs.UfsBlockReader;
import io.sluice.worker.ufs.UfsMounts;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The data server over real sockets, on epoll (zero-copy sendfile) and NIO. */
class DataServerTest {
  private static final int CHUNK = ChunkChecksums.CHUNK;

  @TempDir
  Path dir;

  private BlockStore store;
  private final DataTraffic traffic = new DataTraffic();
  private RpcServer server;
  private ReadThrough readThrough;
  private RpcClient client;
  private TransferMode transfer = TransferMode.ZERO_COPY;

  private void start(Transport t) throws Exception {
    start(t, new BlockStore(dir, 256L << 20, false));
  }

  private void start(Transport t, BlockStore s) throws Exception {
    store = s;
    store.open();
    RpcOptions opts = RpcOptions.defaults().withTransport(t).withCallTimeout(Duration.ofSeconds(20));
    // No mounts: these tests read only blocks that were written, never through a UFS.
    ReadThroughStats stats = new ReadThroughStats();
    readThrough = new ReadThrough(store, new UfsBlockReader(new UfsMounts(List::of, UfsRegistry.load()), stats),
        id -> java.util.concurrent.CompletableFuture.completedFuture(null), 1, 4096);
    LocalClientCheck check = LocalClientCheck.create(dir.resolve("sc.token"), "");
    server = new RpcServer("worker-data", new InetSocketAddress("127.0.0.1", 0), new DataHandler(store, CHUNK,
        id -> java.util.concurrent.CompletableFuture.completedFuture(null), traffic, readThrough, stats,
        new ShortCircuitLeases(store, stats, check, 1024, Duration.ofSeconds(5)), transfer, opts), opts).start();
    client = RpcClient.connect(server.address(), opts);
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
    if (readThrough != null) {
      readThrough.close();
    }
  }

  private static final StreamListener DROP = new StreamListener() {
    @Override
    public void onData(Frame frame) {
      frame.release();
    }
  };

  /** The CRC32C of each checksum chunk of {@code b[off, off + len)}, computed slice by slice. */
  private static List<Integer> sums(byte[] b, int off, int len) {
    List<Integer> out = new ArrayList<>();
    for (int at = 0; at < len; at += CHUNK) {
      CRC32C c = new CRC32C();
      c.update(b, off + at, Math.min(CHUNK, len - at));
      out.add((int) c.getValue());
    }
    return out;
  }

  private long write(long blockId, byte[] data, int chunk) throws Exception {
    ClientStream s = client.openStream(WorkerMethod.WRITE_BLOCK_VALUE, WriteBlockRequest.newBuilder()
        .setBlockId(blockId).setMaxLength(data.length + 1).build(), 0, DROP);
    for (int off = 0; off < data.length; off += chunk) {
      int n = Math.min(chunk, data.length - off);
      s.sendData(off, sums(data, off, n), Unpooled.wrappedBuffer(data, off, n));
    }
    s.end();
    Frame f = RpcClient.await(s.response());
    try {
      return f.parseBody(WriteBlockResponse.parser()).getLength();
    } finally {
      f.release();
    }
  }

  /**
   * Reads a range with a generous window, checking that frames are contiguous from the chunk holding the range's
   * first byte and carry the CRC32C of each of their chunks; returns exactly the range.
   *
   * @throws AssertionError when a frame's bytes do not match its sums (a corrupt block)
   */
  private byte[] read(long blockId, long offset, long length) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long start = offset / CHUNK * CHUNK;
    long[] next = {start};
    List<String> problems = new ArrayList<>();
    ClientStream s = client.openStream(WorkerMethod.READ_BLOCK_VALUE, ReadBlockRequest.newBuilder()
        .setBlockId(blockId).setOffset(offset).setLength(length).build(), 1 << 20, new StreamListener() {
          @Override
          public void onData(Frame frame) {
            try {
              byte[] b = ByteBufUtil.getBytes(frame.data());
              if (next[0] != frame.header().getOffset()) {
                problems.add("frame at " + frame.header().getOffset() + ", expected " + next[0]);
              } else if (!sums(b, 0, b.length).equals(frame.header().getChunkCrcsList())) {
                problems.add("checksum mismatch in the frame at " + next[0]);
              }
              next[0] += b.length;
              out.write(b, 0, b.length);
            } finally {
              frame.release();
            }
          }
        });
    RpcClient.await(s.response()).release();
    if (!problems.isEmpty()) {
      throw new AssertionError(String.join("; ", problems));
    }
    byte[] all = out.toByteArray();
    if (length == 0) {
      assertEquals(0, all.length, "data sent for an empty range");
      return all;
    }
    int from = (int) (offset - start);
    int to = length < 0 ? all.length : (int) (from + length);
    assertTrue(to <= all.length, "the stream ended before the range: " + all.length + " < " + to);
    return Arrays.copyOfRange(all, from, to);
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void writtenBlocksReadBackWholeAndInRanges(Transport t) throws Exception {
    start(t);
    byte[] data = new byte[5 * 1024 * 1024 + 321];
    new Random(1).nextBytes(data);
    assertEquals(data.length, write(42, data, 2 * CHUNK));
    assertArrayEquals(data, read(42, 0, -1));
    assertArrayEquals(Arrays.copyOfRange(data, 777, 777 + 300_001), read(42, 777, 300_001));
    assertArrayEquals(new byte[0], read(42, data.length, 0));
    assertArrayEquals(Arrays.copyOfRange(data, data.length - 5, data.length), read(42, data.length - 5, -1));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void trafficCountsTheBlockBytesMoved(Transport t) throws Exception {
    start(t);
    byte[] data = new byte[3 * CHUNK + 17];
    new Random(2).nextBytes(data);
    write(7, data, CHUNK);
    assertEquals(data.length, traffic.bytesReceived());
    assertEquals(0, traffic.bytesSent());
    read(7, 0, -1);
    read(7, 100, 1000);
    // A region counts once its write completed, which may be a moment after the client has the bytes.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (traffic.bytesSent() < data.length + CHUNK && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    // [100, 1100) goes out as the whole chunk holding it, so the reader can verify it.
    assertEquals(data.length + CHUNK, traffic.bytesSent());
    assertEquals(data.length, traffic.bytesReceived());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void badReadsAreRefused(Transport t) throws Exception {
    start(t);
    write(1, new byte[100], 100);
    assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class, () -> read(999, 0, -1)).status());
    assertEquals(Status.INVALID_ARGUMENT, assertThrows(RpcException.class, () -> read(1, 50, 51)).status());
    assertEquals(Status.INVALID_ARGUMENT, assertThrows(RpcException.class, () -> read(1, 101, -1)).status());
    assertEquals(Status.INVALID_ARGUMENT, assertThrows(RpcException.class, () -> read(1, -1, 1)).status());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aChecksumMismatchFailsTheWriteAndLeavesNothing(Transport t) throws Exception {
    start(t);
    ClientStream s = client.openStream(WorkerMethod.WRITE_BLOCK_VALUE, WriteBlockRequest.newBuilder().setBlockId(3)
        .setMaxLength(1000).build(), 0, DROP);
    s.sendData(0, List.of(0xbad), Unpooled.wrappedBuffer(new byte[100]));
    RpcException e = assertThrows(RpcException.class, () -> RpcClient.await(s.response()));
    assertEquals(Status.IO_ERROR, e.status());
    assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class, () -> store.length(3)).status());
    assertTmpEmpty();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void outOfOrderDataFailsTheWrite(Transport t) throws Exception {
    start(t);
    ClientStream s = client.openStream(WorkerMethod.WRITE_BLOCK_VALUE, WriteBlockRequest.newBuilder().setBlockId(4)
        .setMaxLength(1000).build(), 0, DROP);
    byte[] d = new byte[10];
    s.sendData(5, sums(d, 0, 10), Unpooled.wrappedBuffer(d));
    assertEquals(Status.INVALID_ARGUMENT, assertThrows(RpcException.class, () -> RpcClient.await(s.response()))
        .status());
    assertTmpEmpty();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aClientThatVanishesMidWriteLeavesNoTempFile(Transport t) throws Exception {
    start(t);
    ClientStream s = client.openStream(WorkerMethod.WRITE_BLOCK_VALUE, WriteBlockRequest.newBuilder().setBlockId(5)
        .setMaxLength(1 << 20).build(), 0, DROP);
    byte[] d = new byte[1000];
    s.sendData(0, sums(d, 0, d.length), Unpooled.wrappedBuffer(d));
    // A round trip on the same connection proves the data frame was handled.
    assertThrows(RpcException.class, () -> client.call(99, GetStatusRequest.getDefaultInstance(),
        GetStatusResponse.parser()));
    client.close();
    client = null;
    awaitTmpEmpty();
    assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class, () -> store.length(5)).status());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void readsSendOnlyWhatTheClientGranted(Transport t) throws Exception {
    start(t);
    byte[] data = new byte[CHUNK * 4];
    new Random(2).nextBytes(data);
    write(6, data, CHUNK);
    BlockingQueue<Long> offsets = new LinkedBlockingQueue<>();
    ClientStream s = client.openStream(WorkerMethod.READ_BLOCK_VALUE, ReadBlockRequest.newBuilder().setBlockId(6)
        .setLength(-1).build(), 1, new StreamListener() {
          @Override
          public void onData(Frame frame) {
            offsets.add(frame.header().getOffset());
            frame.release();
          }
        });
    assertEquals(0L, offsets.poll(10, TimeUnit.SECONDS));
    // Barrier: the server handles this call after anything it would have sent for the stream.
    assertThrows(RpcException.class, () -> client.call(99, GetStatusRequest.getDefaultInstance(),
        GetStatusResponse.parser()));
    assertTrue(offsets.isEmpty(), "the worker sent past its credit");
    assertFalse(s.response().isDone());
    s.grant(3);
    for (int i = 1; i < 4; i++) {
      assertEquals((long) i * CHUNK, offsets.poll(10, TimeUnit.SECONDS));
    }
    RpcClient.await(s.response()).release();
  }

  /**
   * A read stream holds a lease on its block from its request until its last frame is sent: with the cache full,
   * a write evicts another block instead, and once the stream is done the block may go.
   */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void aBlockIsNotEvictedWhileAStreamReadsIt(Transport t) throws Exception {
    int size = CHUNK * 4;
    long reserve = size + 1; // write() declares one byte more than it sends
    start(t, new BlockStore(TierSpec.parse("HDD:" + dir + ":" + 2 * reserve), false, new Watermarks(1, 1),
        new LruPolicy(Clock.systemUTC())));
    write(1, new byte[size], CHUNK);
    write(2, new byte[size], CHUNK);
    BlockingQueue<Long> offsets = new LinkedBlockingQueue<>();
    ClientStream s = client.openStream(WorkerMethod.READ_BLOCK_VALUE, ReadBlockRequest.newBuilder().setBlockId(1)
        .setLength(-1).build(), 1, new StreamListener() {
          @Override
          public void onData(Frame frame) {
            offsets.add(frame.header().getOffset());
            frame.release();
          }
        });
    assertEquals(0L, offsets.poll(10, TimeUnit.SECONDS));
    assertEquals(size, read(2, 0, -1).length); // 1 is now the least recently used, but it is being read

    write(3, new byte[size], CHUNK);
    assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class, () -> store.length(2)).status());
    assertEquals(size, store.length(1));

    s.grant(3);
    RpcClient.await(s.response()).release();
    assertEquals(List.of((long) CHUNK, 2L * CHUNK, 3L * CHUNK), List.copyOf(offsets));
    write(4, new byte[size], CHUNK); // the stream is over: 1 can go now
    assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class, () -> store.length(1)).status());
    assertEquals(size, store.length(3));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void cancelledReadsCloseTheirFiles(Transport t) throws Exception {
    start(t);
    byte[] data = new byte[CHUNK * 8];
    write(8, data, CHUNK);
    long before = openFiles();
    for (int i = 0; i < 50; i++) {
      ClientStream s = client.openStream(WorkerMethod.READ_BLOCK_VALUE, ReadBlockRequest.newBuilder().setBlockId(8)
          .setLength(-1).build(), 2, DROP);
      s.cancel();
    }
    for (int i = 0; i < 20; i++) {
      assertEquals(data.length, read(8, 0, -1).length);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (openFiles() > before + 2 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(openFiles() <= before + 2, "file handles leaked: " + before + " -> " + openFiles());
  }

  /**
   * Zero copy is what serves a cached block by default, on epoll and NIO alike: every byte sent is counted as sent
   * from a FileRegion. Copy mode sends the same bytes and checksums through a buffer and counts none.
   */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void blocksGoOutAsFileRegionsUnlessCopyModeIsChosen(Transport t) throws Exception {
    start(t);
    byte[] data = new byte[4 * CHUNK + 3];
    new Random(8).nextBytes(data);
    write(15, data, CHUNK);
    assertArrayEquals(data, read(15, 0, -1));
    awaitSent(data.length);
    assertEquals(data.length, traffic.bytesSentZeroCopy());
    stop();

    transfer = TransferMode.COPY;
    start(t);
    long sent0 = traffic.bytesSent();
    long zeroCopy0 = traffic.bytesSentZeroCopy();
    assertArrayEquals(data, read(15, 0, -1)); // the frames' checksums are checked by read()
    assertArrayEquals(Arrays.copyOfRange(data, CHUNK + 5, 3 * CHUNK), read(15, CHUNK + 5, 2 * CHUNK - 5));
    awaitSent(sent0 + data.length + 2L * CHUNK);
    assertEquals(zeroCopy0, traffic.bytesSentZeroCopy());
  }

  /**
   * Mapped mode sends a MEM block read before from its kept mapping (one copy fewer than reading each frame into a
   * buffer): the same bytes and checksums, counted as mapped; a block read once goes through a buffer.
   */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void mappedModeSendsAMemBlockReadBeforeFromItsMapping(Transport t) throws Exception {
    transfer = TransferMode.MAPPED;
    start(t, new BlockStore(TierSpec.parse("MEM:" + dir.resolve("mem") + ":64m"), false, Watermarks.DEFAULT,
        new LruPolicy(Clock.systemUTC())));
    byte[] data = new byte[3 * (1 << 20) + 5];
    new Random(9).nextBytes(data);
    write(16, data, 1 << 20);
    assertArrayEquals(data, read(16, 0, -1)); // read() checks every frame against its checksums
    awaitSent(data.length);
    assertEquals(0, traffic.bytesSentMapped(), "a block read once is sent through a buffer");

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (traffic.bytesSentMapped() == 0) { // the second read maps it; its pages load in the background
      assertTrue(System.nanoTime() < deadline, "no read was sent from the mapping within 10 s");
      assertArrayEquals(data, read(16, 0, -1)); // each pass is a whole read: no sleep needed between them
    }
    long sent0 = traffic.bytesSent();
    long mapped0 = traffic.bytesSentMapped();
    int to = 2 << 20;
    assertArrayEquals(Arrays.copyOfRange(data, CHUNK + 5, to), read(16, CHUNK + 5, to - CHUNK - 5));
    awaitSent(sent0 + to - CHUNK);
    assertEquals(mapped0 + to - CHUNK, traffic.bytesSentMapped(), "whole chunks, all from the mapping");
    assertEquals(data.length, store.mappedBytes());
    assertTrue(store.delete(16));
    assertEquals(0, store.mappedBytes());
  }

  private void awaitSent(long bytes) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (traffic.bytesSent() < bytes && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(bytes, traffic.bytesSent());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aFrameThatDoesNotStartAChunkIsRefused(Transport t) throws Exception {
    start(t);
    ClientStream s = client.openStream(WorkerMethod.WRITE_BLOCK_VALUE, WriteBlockRequest.newBuilder().setBlockId(9)
        .setMaxLength(1 << 20).build(), 0, DROP);
    byte[] d = new byte[1000];
    s.sendData(0, sums(d, 0, d.length), Unpooled.wrappedBuffer(d));
    s.sendData(d.length, sums(d, 0, d.length), Unpooled.wrappedBuffer(d)); // 1000 is inside the first chunk
    RpcException e = assertThrows(RpcException.class, () -> RpcClient.await(s.response()));
    assertEquals(Status.INVALID_ARGUMENT, e.status());
    assertTrue(e.getMessage().contains("inside a chunk"), e.getMessage());
    awaitTmpEmpty();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void shortCircuitLeasesCarryTheBlocksChecksums(Transport t) throws Exception {
    start(t);
    byte[] data = new byte[2 * CHUNK + 5];
    new Random(5).nextBytes(data);
    write(10, data, CHUNK);
    ShortCircuitProver.prove(client);
    OpenLocalBlockResponse lease = client.call(WorkerMethod.OPEN_LOCAL_BLOCK_VALUE,
        OpenLocalBlockRequest.newBuilder().setBlockId(10).build(), OpenLocalBlockResponse.parser());
    assertEquals(sums(data, 0, data.length), lease.getChunkCrcsList());
  }

  /** The ids of blocks the store removes from now on, as the worker would tell the master. */
  private List<Long> recordRemovals() {
    List<Long> removed = new java.util.concurrent.CopyOnWriteArrayList<>();
    store.setListener(new BlockListener() {
      @Override
      public void committed(long blockId) {}

      @Override
      public void removed(long blockId) {
        removed.add(blockId);
      }
    });
    return removed;
  }

  /**
   * A byte flipped in a block file on disk: the frames still carry the sums stored at write, so a reader sees the
   * mismatch; the reader's report makes the worker check the file, remove the block and its sums, and tell the
   * master. A report about a healthy block changes nothing.
   */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void aCorruptBlockIsDetectedByTheReaderAndRemovedOnItsReport(Transport t) throws Exception {
    start(t);
    List<Long> removed = recordRemovals();
    byte[] data = new byte[3 * CHUNK + 100];
    new Random(6).nextBytes(data);
    write(11, data, CHUNK);
    write(12, data, CHUNK);
    Path file = store.path(11);
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      c.read(one, 2 * CHUNK + 7);
      one.put(0, (byte) (one.get(0) ^ 0x10)).rewind();
      c.write(one, 2 * CHUNK + 7);
    }
    assertArrayEquals(Arrays.copyOfRange(data, 0, CHUNK), read(11, 0, CHUNK)); // chunk 0 is intact
    AssertionError seen = assertThrows(AssertionError.class, () -> read(11, 2 * CHUNK + 50, 10));
    assertTrue(seen.getMessage().contains("checksum mismatch in the frame at " + 2 * CHUNK), seen.getMessage());

    assertFalse(report(12), "a healthy block is kept");
    assertEquals(data.length, store.length(12));
    assertTrue(report(11));
    assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class, () -> store.length(11)).status());
    assertFalse(Files.exists(file));
    assertFalse(Files.exists(dir.resolve("sums").resolve(file.getFileName())));
    assertEquals(List.of(11L), removed);
    assertEquals(1, store.corruptBlocks());
    assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class, () -> report(11)).status());
  }

  private boolean report(long blockId) throws RpcException {
    return client.call(WorkerMethod.REPORT_CORRUPT_BLOCK_VALUE, ReportCorruptBlockRequest.newBuilder()
        .setBlockId(blockId).build(), ReportCorruptBlockResponse.parser()).getCorrupt();
  }

  /**
   * Checksums live beside the blocks on disk: after a restart reads carry the sums written at commit; a block whose
   * sums file is gone is summed from its file; a sums file without its block is dropped.
   */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void checksumsSurviveARestart(Transport t) throws Exception {
    start(t);
    byte[] data = new byte[2 * CHUNK + 9];
    new Random(7).nextBytes(data);
    write(13, data, CHUNK);
    write(14, data, CHUNK);
    Path sums13 = dir.resolve("sums").resolve(store.path(13).getFileName());
    Path sums14 = dir.resolve("sums").resolve(store.path(14).getFileName());
    assertEquals(8 + 3 * 4, Files.size(sums13)); // the header, then one sum per chunk
    stop();
    Files.delete(sums14);
    Path orphan = dir.resolve("sums").resolve("99.100");
    Files.write(orphan, new byte[4]);
    // Corrupt 13 while the worker is down: its stored sums still say what it held.
    try (FileChannel c = FileChannel.open(dir.resolve("blocks").resolve(sums13.getFileName()),
        StandardOpenOption.WRITE)) {
      c.write(ByteBuffer.wrap(new byte[] {42}), 3);
    }
    start(t);
    assertFalse(Files.exists(orphan));
    assertArrayEquals(data, read(14, 0, -1));
    assertTrue(Files.exists(sums14) || store.contains(14));
    AssertionError seen = assertThrows(AssertionError.class, () -> read(13, 0, -1));
    assertTrue(seen.getMessage().contains("checksum mismatch in the frame at 0"), seen.getMessage());
    assertTrue(report(13));
  }

  /** Bytes per chunk of the sums files written before they had a header. */
  private static final int LEGACY_CHUNK = 64 * 1024;

  /** Replaces a block's sums file with one as workers wrote them before it had a header: bare 64 KiB-chunk sums. */
  private void storeLegacySums(long blockId, byte[] data) throws Exception {
    Path sums = dir.resolve("sums").resolve(store.path(blockId).getFileName());
    ByteBuffer b = ByteBuffer.allocate(4 * ((data.length + LEGACY_CHUNK - 1) / LEGACY_CHUNK));
    for (int at = 0; at < data.length; at += LEGACY_CHUNK) {
      CRC32C c = new CRC32C();
      c.update(data, at, Math.min(LEGACY_CHUNK, data.length - at));
      b.putInt((int) c.getValue());
    }
    Files.write(sums, b.array());
  }

  /**
   * Blocks whose sums a worker stored in 64 KiB chunks before they had a header (the only copy of a native file's
   * bytes) are checked against those sums on first read after a restart and served with sums in today's grid; their
   * sums file is rewritten in it, so the next start finds it current.
   */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void blocksWithLegacySumsAreServedAfterARestartAndTheirSumsRewritten(Transport t) throws Exception {
    start(t);
    byte[] big = new byte[3 * LEGACY_CHUNK + 1000]; // 4 legacy chunks, 13 of today's
    new Random(8).nextBytes(big);
    byte[] small = Arrays.copyOf(big, CHUNK / 2); // one chunk in either grid, with the same sum
    write(21, big, CHUNK);
    write(22, small, CHUNK);
    Path sums21 = dir.resolve("sums").resolve(store.path(21).getFileName());
    byte[] current21 = Files.readAllBytes(sums21);
    storeLegacySums(21, big);
    storeLegacySums(22, small);
    stop();

    start(t);
    assertArrayEquals(big, read(21, 0, -1)); // read() checks every frame against today's grid
    assertArrayEquals(Arrays.copyOfRange(big, LEGACY_CHUNK + 5, 2 * LEGACY_CHUNK + 9),
        read(21, LEGACY_CHUNK + 5, LEGACY_CHUNK + 4));
    assertArrayEquals(small, read(22, 0, -1));
    assertArrayEquals(current21, Files.readAllBytes(sums21), "rewritten as a worker writes it at commit");
    ShortCircuitProver.prove(client);
    OpenLocalBlockResponse lease = client.call(WorkerMethod.OPEN_LOCAL_BLOCK_VALUE,
        OpenLocalBlockRequest.newBuilder().setBlockId(22).build(), OpenLocalBlockResponse.parser());
    assertEquals(sums(small, 0, small.length), lease.getChunkCrcsList());
    assertEquals(0, store.corruptBlocks());
    try (var s = Files.list(dir.resolve("sums"))) {
      assertEquals(2, s.count(), "no temporary sums file left behind");
    }
    stop();

    // The rewritten file is current: after another restart it is served as it is, and a flipped byte is caught.
    try (FileChannel c = FileChannel.open(store.path(21), StandardOpenOption.WRITE)) {
      c.write(ByteBuffer.wrap(new byte[] {(byte) ~big[CHUNK + 3]}), CHUNK + 3);
    }
    start(t);
    assertArrayEquals(Arrays.copyOf(big, CHUNK), read(21, 0, CHUNK));
    AssertionError seen = assertThrows(AssertionError.class, () -> read(21, CHUNK, 10));
    assertTrue(seen.getMessage().contains("checksum mismatch in the frame at " + CHUNK), seen.getMessage());
  }

  /**
   * A block that does not match the legacy sums stored with it is corrupt, and goes as a corrupt block does when a
   * reader reports it: removed with its sums, counted, and the master told; the read fails with NOT_FOUND, so the
   * reader moves on to another replica or the UFS.
   */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void aBlockThatDoesNotMatchItsLegacySumsIsRemovedAsCorrupt(Transport t) throws Exception {
    start(t);
    byte[] data = new byte[3 * LEGACY_CHUNK + 1000];
    new Random(9).nextBytes(data);
    write(23, data, CHUNK);
    write(24, data, CHUNK);
    storeLegacySums(23, data);
    storeLegacySums(24, data);
    Path file = store.path(23);
    Path sums = dir.resolve("sums").resolve(file.getFileName());
    stop();
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
      c.write(ByteBuffer.wrap(new byte[] {(byte) ~data[2 * LEGACY_CHUNK + 7]}), 2 * LEGACY_CHUNK + 7);
    }

    start(t);
    List<Long> removed = recordRemovals();
    // Even a range of intact chunks: the whole block is checked when its sums are first loaded.
    RpcException e = assertThrows(RpcException.class, () -> read(23, 0, 10));
    assertEquals(Status.NOT_FOUND, e.status());
    assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
    assertFalse(store.contains(23));
    assertFalse(Files.exists(file));
    assertFalse(Files.exists(sums));
    assertEquals(List.of(23L), removed);
    assertEquals(1, store.corruptBlocks());
    assertArrayEquals(data, read(24, 0, -1), "an intact block beside it is served");
  }

  private long openFiles() throws Exception {
    Path block = store.path(8).toRealPath();
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(p -> {
        try {
          return Files.readSymbolicLink(p).equals(block);
        } catch (Exception e) {
          return false;
        }
      }).count();
    }
  }

  private void assertTmpEmpty() throws Exception {
    try (var s = Files.list(dir.resolve("tmp"))) {
      assertEquals(0, s.count());
    }
  }

  private void awaitTmpEmpty() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (var s = Files.list(dir.resolve("tmp"))) {
        if (s.count() == 0) {
          return;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("temp block left behind");
      }
      Thread.sleep(20);
    }
  }
}
