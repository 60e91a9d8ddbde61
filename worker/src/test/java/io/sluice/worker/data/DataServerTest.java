package io.sluice.worker.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.sluice.common.proto.GetStatusRequest;
import io.sluice.common.proto.GetStatusResponse;
import io.sluice.common.proto.ReadBlockRequest;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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
  private static final int CHUNK = 64 * 1024;

  @TempDir
  Path dir;

  private BlockStore store;
  private final DataTraffic traffic = new DataTraffic();
  private RpcServer server;
  private ReadThrough readThrough;
  private RpcClient client;

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
    server = new RpcServer("worker-data", new InetSocketAddress("127.0.0.1", 0), new DataHandler(store, CHUNK,
        id -> java.util.concurrent.CompletableFuture.completedFuture(null), traffic, readThrough, stats,
        new ShortCircuitLeases(store, stats, true, 1024, Duration.ofSeconds(5))), opts).start();
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

  private static int crc(byte[] b, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(b, off, len);
    return (int) c.getValue();
  }

  private long write(long blockId, byte[] data, int chunk) throws Exception {
    ClientStream s = client.openStream(WorkerMethod.WRITE_BLOCK_VALUE, WriteBlockRequest.newBuilder()
        .setBlockId(blockId).setMaxLength(data.length + 1).build(), 0, DROP);
    for (int off = 0; off < data.length; off += chunk) {
      int n = Math.min(chunk, data.length - off);
      s.sendData(off, crc(data, off, n), Unpooled.wrappedBuffer(data, off, n));
    }
    s.end();
    Frame f = RpcClient.await(s.response());
    try {
      return f.parseBody(WriteBlockResponse.parser()).getLength();
    } finally {
      f.release();
    }
  }

  /** Reads a range with a generous window, checking frame offsets are contiguous. */
  private byte[] read(long blockId, long offset, long length) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long[] next = {offset};
    ClientStream s = client.openStream(WorkerMethod.READ_BLOCK_VALUE, ReadBlockRequest.newBuilder()
        .setBlockId(blockId).setOffset(offset).setLength(length).build(), 1 << 20, new StreamListener() {
          @Override
          public void onData(Frame frame) {
            try {
              assertEquals(next[0], frame.header().getOffset());
              byte[] b = ByteBufUtil.getBytes(frame.data());
              next[0] += b.length;
              out.write(b, 0, b.length);
            } finally {
              frame.release();
            }
          }
        });
    RpcClient.await(s.response()).release();
    return out.toByteArray();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void writtenBlocksReadBackWholeAndInRanges(Transport t) throws Exception {
    start(t);
    byte[] data = new byte[5 * 1024 * 1024 + 321];
    new Random(1).nextBytes(data);
    assertEquals(data.length, write(42, data, 100_000));
    assertArrayEquals(data, read(42, 0, -1));
    assertArrayEquals(java.util.Arrays.copyOfRange(data, 777, 777 + 300_001), read(42, 777, 300_001));
    assertArrayEquals(new byte[0], read(42, data.length, 0));
    assertArrayEquals(java.util.Arrays.copyOfRange(data, data.length - 5, data.length), read(42, data.length - 5, -1));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void trafficCountsTheBlockBytesMoved(Transport t) throws Exception {
    start(t);
    byte[] data = new byte[3 * CHUNK + 17];
    new Random(2).nextBytes(data);
    write(7, data, 10_000);
    assertEquals(data.length, traffic.bytesReceived());
    assertEquals(0, traffic.bytesSent());
    read(7, 0, -1);
    read(7, 100, 1000);
    // A region counts once its write completed, which may be a moment after the client has the bytes.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (traffic.bytesSent() < data.length + 1000 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(data.length + 1000, traffic.bytesSent());
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
    s.sendData(0, 0xbad, Unpooled.wrappedBuffer(new byte[100]));
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
    s.sendData(5, crc(d, 0, 10), Unpooled.wrappedBuffer(d));
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
    s.sendData(0, crc(d, 0, d.length), Unpooled.wrappedBuffer(d));
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
