package io.sluice.worker.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.sluice.common.checksum.ChunkChecksums;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.proto.MountInfo;
import io.sluice.common.proto.ReadBlockRequest;
import io.sluice.common.proto.UfsBlockSource;
import io.sluice.common.proto.WorkerMethod;
import io.sluice.common.proto.WriteBlockRequest;
import io.sluice.common.proto.WriteBlockResponse;
import io.sluice.common.rpc.ClientStream;
import io.sluice.common.rpc.Frame;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.rpc.RpcServer;
import io.sluice.common.rpc.StreamListener;
import io.sluice.common.rpc.Transport;
import io.sluice.common.testing.TestCertificates;
import io.sluice.common.tls.TlsKeys;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Reads over TLS from a data server set up as the worker sets it up (transfer mode from
 * {@link TransferMode#effective}, configured zero-copy): a cached block and a block read through from the UFS
 * arrive identical, and no byte counts as sent by zero copy (a FileRegion could not pass TLS).
 */
class TlsDataServerTest {
  private static final int CHUNK = ChunkChecksums.CHUNK;

  @TempDir
  Path dir;

  private final DataTraffic traffic = new DataTraffic();
  private RpcServer server;
  private ReadThrough readThrough;
  private UfsMounts mounts;

  @AfterEach
  void stop() {
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

  @Test
  void tlsTurnsConfiguredZeroCopyIntoCopyAndPlaintextKeepsIt() throws Exception {
    TestCertificates certs = TestCertificates.shared();
    assertEquals(TransferMode.COPY, TransferMode.effective("zero-copy", RpcOptions.from(certs.member(
        SluiceConf.defaults()))));
    assertEquals(TransferMode.ZERO_COPY, TransferMode.effective("zero-copy", RpcOptions.defaults()));
    assertEquals(TransferMode.COPY, TransferMode.effective("copy", RpcOptions.defaults()));
    assertEquals(TransferMode.MAPPED, TransferMode.effective("Mapped", RpcOptions.defaults()));
    // Its frames are buffers, which the SslHandler encrypts like copy mode's.
    assertEquals(TransferMode.MAPPED, TransferMode.effective("mapped", RpcOptions.from(certs.member(
        SluiceConf.defaults()))));
  }

  /** Starts a data server as the worker does, with TLS and client certificates; a local UFS is mounted at /ufs. */
  private RpcOptions start(Transport t) throws Exception {
    return start(t, "zero-copy", new BlockStore(dir.resolve("store"), 256L << 20, false));
  }

  /** As {@link #start(Transport)}, configured with {@code transfer} and serving {@code store}. */
  private RpcOptions start(Transport t, String transfer, BlockStore store) throws Exception {
    RpcOptions opts = RpcOptions.from(TestCertificates.shared().member(SluiceConf.defaults()
        .with(TlsKeys.CLIENT_AUTH, "true"))).withTransport(t).withCallTimeout(Duration.ofSeconds(20));
    store.open();
    ReadThroughStats stats = new ReadThroughStats();
    Path ufs = Files.createDirectories(dir.resolve("ufs"));
    mounts = new UfsMounts(() -> List.of(MountInfo.newBuilder().setMountId(1).setPath("/ufs")
        .setUfsUri(ufs.toUri().toString()).build()), UfsRegistry.load());
    readThrough = new ReadThrough(store, new UfsBlockReader(mounts, stats),
        id -> CompletableFuture.completedFuture(null), 1, 4096);
    server = new RpcServer("worker-data", new InetSocketAddress("127.0.0.1", 0), new DataHandler(store, CHUNK,
        id -> CompletableFuture.completedFuture(null), traffic, readThrough, stats,
        new ShortCircuitLeases(store, stats, null, 1024, Duration.ofSeconds(5)),
        TransferMode.effective(transfer, opts), opts), opts).start();
    return opts;
  }

  /** Frames sliced from a kept mapping are buffers: the SslHandler encrypts them, and the reader gets the block. */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void aMemBlockReadOverTlsFromItsMappingIsIdentical(Transport t) throws Exception {
    RpcOptions opts = start(t, "mapped", new BlockStore(TierSpec.parse("MEM:" + dir.resolve("mem") + ":64m"), false,
        Watermarks.DEFAULT, new LruPolicy(Clock.systemUTC())));
    byte[] data = new byte[2 * 1024 * 1024 + 77];
    new Random(12).nextBytes(data);
    try (RpcClient client = RpcClient.connect(server.address(), opts)) {
      assertEquals(data.length, write(client, 22, data));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      do { // the second read maps the block; its pages load in the background
        assertTrue(System.nanoTime() < deadline, "no read was sent from the mapping within 10 s");
        assertArrayEquals(data, read(client, ReadBlockRequest.newBuilder().setBlockId(22).setOffset(0)
            .setLength(-1).build())); // each pass is a whole read: no sleep needed between them
      } while (traffic.bytesSentMapped() < data.length);
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aCachedBlockReadOverTlsIsIdenticalAndSentByCopy(Transport t) throws Exception {
    RpcOptions opts = start(t);
    byte[] data = new byte[3 * 1024 * 1024 + 123];
    new Random(11).nextBytes(data);
    try (RpcClient client = RpcClient.connect(server.address(), opts)) {
      assertEquals(data.length, write(client, 21, data));
      assertArrayEquals(data, read(client, ReadBlockRequest.newBuilder().setBlockId(21).setOffset(0)
          .setLength(-1).build()));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (traffic.bytesSent() < data.length && System.nanoTime() < deadline) {
      Thread.sleep(5); // a frame counts once its write completed, a moment after the reader has it
    }
    assertEquals(data.length, traffic.bytesSent(), "every byte sent");
    assertEquals(0, traffic.bytesSentZeroCopy(), "none as a FileRegion under TLS");
  }

  /**
   * A read through from the UFS follows the load, whose frames are file regions of the load's file whatever the
   * transfer mode: under TLS the RPC pipeline copies them, and the reader gets the file's bytes.
   */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void aReadThroughFromTheUfsOverTlsIsIdentical(Transport t) throws Exception {
    RpcOptions opts = start(t);
    byte[] data = new byte[700_000];
    new Random(12).nextBytes(data);
    Files.write(dir.resolve("ufs").resolve("f.bin"), data);
    try (RpcClient client = RpcClient.connect(server.address(), opts)) {
      assertArrayEquals(data, read(client, ReadBlockRequest.newBuilder().setBlockId(31).setOffset(0)
          .setLength(data.length).setUfs(UfsBlockSource.newBuilder().setMountId(1).setUfsPath("f.bin")
              .setOffset(0).setLength(data.length)).build()));
    }
    assertEquals(0, traffic.bytesSentZeroCopy());
  }

  private static long write(RpcClient client, long blockId, byte[] data) throws Exception {
    ClientStream s = client.openStream(WorkerMethod.WRITE_BLOCK_VALUE, WriteBlockRequest.newBuilder()
        .setBlockId(blockId).setMaxLength(data.length + 1).build(), 0, new StreamListener() {
          @Override
          public void onData(Frame frame) {
            frame.release();
          }
        });
    for (int off = 0; off < data.length; off += CHUNK) {
      int n = Math.min(CHUNK, data.length - off);
      List<Integer> sums = new ArrayList<>();
      CRC32C c = new CRC32C();
      c.update(data, off, n);
      sums.add((int) c.getValue());
      s.sendData(off, sums, Unpooled.wrappedBuffer(data, off, n));
    }
    s.end();
    Frame f = RpcClient.await(s.response());
    try {
      return f.parseBody(WriteBlockResponse.parser()).getLength();
    } finally {
      f.release();
    }
  }

  private static byte[] read(RpcClient client, ReadBlockRequest request) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ClientStream s = client.openStream(WorkerMethod.READ_BLOCK_VALUE, request, 1 << 20, new StreamListener() {
          @Override
          public void onData(Frame frame) {
            try {
              byte[] b = ByteBufUtil.getBytes(frame.data());
              assertTrue(frame.header().getOffset() == out.size(), "frames in order");
              out.write(b, 0, b.length);
            } finally {
              frame.release();
            }
          }
        });
    // Bounded: a stream has no timeout of its own, and a broken frame on the wire would leave the reader waiting.
    s.response().get(60, TimeUnit.SECONDS).release();
    return out.toByteArray();
  }
}
