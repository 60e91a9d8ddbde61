package io.sluice.worker.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.sluice.common.checksum.ChunkChecksums;
import io.sluice.common.proto.FrameHeader;
import io.sluice.common.proto.FrameKind;
import io.sluice.common.proto.ReadBlockRequest;
import io.sluice.common.proto.WorkerMethod;
import io.sluice.common.proto.WriteBlockRequest;
import io.sluice.common.rpc.ClientStream;
import io.sluice.common.rpc.Frame;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.rpc.RpcServer;
import io.sluice.common.rpc.StreamListener;
import io.sluice.common.rpc.Transport;
import io.sluice.common.testing.RawRpcPeer;
import io.sluice.ufs.UfsRegistry;
import io.sluice.worker.block.BlockStore;
import io.sluice.worker.ufs.ReadThrough;
import io.sluice.worker.ufs.ReadThroughStats;
import io.sluice.worker.ufs.UfsBlockReader;
import io.sluice.worker.ufs.UfsMounts;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alluxio's most common worker crash, as a test: a client asks for many block reads and never reads the bytes. In
 * COPY mode every frame is a direct buffer, so a worker that kept serving such a client would queue the blocks in
 * direct memory until the process died. The data server stops reading the client once its queue is over the write
 * buffer's high water mark, so the worker's direct memory stays bounded and other clients are still served.
 */
class WorkerDataLimitsTest {
  private static final int CHUNK = ChunkChecksums.CHUNK;
  private static final int BLOCK_BYTES = 1 << 20; // 400 of them would take far more than the bound below
  private static final int READS = 400;

  @TempDir
  Path dir;
  private RpcServer server;
  private ReadThrough readThrough;
  private RpcClient good;

  @AfterEach
  void stop() {
    if (good != null) {
      good.close();
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

  private static long usedDirectMemory() {
    return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
  }

  /** Without the backpressure the worker queues all {@code 400 * 1 MiB} of block copies for the hog. */
  @Test
  void aReaderThatNeverReadsCannotExhaustTheWorkersDirectMemory() throws Exception {
    BlockStore store = new BlockStore(dir, 64L << 20, false);
    store.open();
    RpcOptions opts = RpcOptions.defaults().withTransport(Transport.NIO).withCallTimeout(Duration.ofSeconds(20));
    ReadThroughStats stats = new ReadThroughStats();
    readThrough = new ReadThrough(store, new UfsBlockReader(new UfsMounts(List::of, UfsRegistry.load()), stats),
        id -> CompletableFuture.completedFuture(null), 1, 4096);
    LocalClientCheck check = LocalClientCheck.create(dir.resolve("sc.token"), "");
    server = new RpcServer("worker-data", new InetSocketAddress("127.0.0.1", 0), new DataHandler(store, CHUNK,
        id -> CompletableFuture.completedFuture(null), new DataTraffic(), readThrough, stats,
        new ShortCircuitLeases(store, stats, check, 1024, Duration.ofSeconds(5)), TransferMode.COPY, opts), opts)
        .start();
    good = RpcClient.connect(server.address(), opts);
    byte[] block = write(1);

    long before = usedDirectMemory();
    long peak = before;
    try (RawRpcPeer hog = new RawRpcPeer(server.address()).handshake("hog")) {
      byte[] body = ReadBlockRequest.newBuilder().setBlockId(1).setLength(-1).build().toByteArray();
      for (int i = 1; i <= READS; i++) {
        hog.write(FrameHeader.newBuilder().setKind(FrameKind.REQUEST).setCallId(i)
            .setMethod(WorkerMethod.READ_BLOCK_VALUE).setCredits(1024).build(), body, new byte[0]);
      }
      hog.flush();
      long steadyUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (System.nanoTime() < steadyUntil) {
        peak = Math.max(peak, usedDirectMemory());
        Thread.sleep(20);
      }
      long grown = peak - before;
      System.out.printf("%d reads of a 1 MiB block never read: direct memory grew by %d KiB at most%n", READS,
          grown / 1024);
      // The high mark (2 MiB) and one read's block beyond it, a few times over for pooling slack; far from 400 MiB.
      assertTrue(grown < 48L << 20, "direct memory grew by " + grown + " bytes");
      assertArrayEquals(block, read(1), "a well-behaved reader is served meanwhile");
    }
  }

  private byte[] write(long blockId) throws Exception {
    byte[] data = new byte[BLOCK_BYTES];
    new SplittableRandom(blockId).nextBytes(data);
    ClientStream w = good.openStream(WorkerMethod.WRITE_BLOCK_VALUE, WriteBlockRequest.newBuilder()
        .setBlockId(blockId).setMaxLength(BLOCK_BYTES).build(), 0, DROP);
    for (int off = 0; off < data.length; off += CHUNK) {
      CRC32C c = new CRC32C();
      c.update(data, off, CHUNK);
      w.sendData(off, List.of((int) c.getValue()), Unpooled.wrappedBuffer(data, off, CHUNK));
    }
    w.end();
    RpcClient.await(w.response()).release();
    return data;
  }

  private byte[] read(long blockId) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ClientStream s = good.openStream(WorkerMethod.READ_BLOCK_VALUE, ReadBlockRequest.newBuilder().setBlockId(blockId)
        .setLength(-1).build(), BLOCK_BYTES / CHUNK, new StreamListener() { // credits for the whole block
          @Override
          public void onData(Frame frame) {
            try {
              out.write(ByteBufUtil.getBytes(frame.data()), 0, frame.data().readableBytes());
            } finally {
              frame.release();
            }
          }
        });
    RpcClient.await(s.response()).release();
    return out.toByteArray();
  }
}
