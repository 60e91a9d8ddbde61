package io.sluice.worker.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBufUtil;
import io.sluice.common.checksum.ChunkChecksums;
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
import io.sluice.worker.ufs.CountingUfs;
import io.sluice.worker.ufs.ReadThrough;
import io.sluice.worker.ufs.ReadThroughStats;
import io.sluice.worker.ufs.UfsBlockReader;
import io.sluice.worker.ufs.UfsMounts;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker data server with UFS read-through (DESIGN 5) over real sockets, on epoll or NIO, with a real local UFS in
 * a temp dir, and what its tests share. The UFS is wrapped only to count opens and, where a test must act in the
 * middle of a load, to hold the load's stream at a given byte until the test lets it go.
 */
abstract class ReadThroughFixture {
  static final int CHUNK = ChunkChecksums.CHUNK;
  static final long BLOCK = 7;

  @TempDir
  Path dir;

  Path ufsRoot;
  BlockStore store;
  final List<CountingUfs> created = CountingUfs.list();
  final ReadThroughStats stats = new ReadThroughStats();
  final DataTraffic traffic = new DataTraffic();
  final Set<Long> reported = ConcurrentHashMap.newKeySet();
  final List<RpcClient> clients = new ArrayList<>();
  UfsMounts mounts;
  ReadThrough readThrough;
  RpcServer server;
  RpcOptions opts;
  RpcClient client;

  void start(Transport t) throws Exception {
    start(t, 256L << 20);
  }

  void start(Transport t, long capacity) throws Exception {
    start(t, new BlockStore(dir.resolve("store"), capacity, false));
  }

  void start(Transport t, BlockStore s) throws Exception {
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
  Duration loadWait = Duration.ofSeconds(20);
  ShortCircuitLeases shortCircuit;

  RpcClient connect() throws Exception {
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

  byte[] ufsFile(String name, int size, int seed) throws Exception {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    Files.write(ufsRoot.resolve(name), data);
    return data;
  }

  static UfsBlockSource src(String path, long offset, long length) {
    return UfsBlockSource.newBuilder().setMountId(1).setUfsPath(path).setOffset(offset).setLength(length).build();
  }

  CountingUfs ufs() {
    assertEquals(1, created.size(), "one connector for the mount");
    return created.get(0);
  }

  /**
   * A read stream collecting exactly its range and checking that frames are contiguous. Frames of a cached block
   * hold whole checksum chunks with their checksums (checked here), so they may start before the range and end after
   * it; frames streamed from the UFS carry no checksums and hold the range only.
   */
  static final class Reader implements StreamListener {
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

  byte[] read(long offset, long length, UfsBlockSource src) throws Exception {
    return new Reader(client, BLOCK, offset, length, src, false, 1 << 20).await();
  }

  byte[] readUncached(long offset, long length, UfsBlockSource src) throws Exception {
    return new Reader(client, BLOCK, offset, length, src, true, 1 << 20).await();
  }

  static byte[] slice(byte[] data, long from, long length) {
    return Arrays.copyOfRange(data, (int) from, (int) (from + length));
  }

  void assertNotHeld() throws Exception {
    assertEquals(Status.NOT_FOUND, assertThrows(RpcException.class, () -> store.length(BLOCK)).status());
    try (Stream<Path> s = Files.list(dir.resolve("store").resolve("tmp"))) {
      assertEquals(0, s.count(), "temp block left behind");
    }
  }

  /** Waits for a condition the server reaches asynchronously (not a timing assertion). */
  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(5);
    }
  }

}
