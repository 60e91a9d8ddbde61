package io.sluice.worker.copy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.common.checksum.ChunkChecksums;
import io.sluice.common.proto.BlockCopyTask;
import io.sluice.common.proto.BlockLoadFailure;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerAddress;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.rpc.RpcServer;
import io.sluice.ufs.UfsRegistry;
import io.sluice.worker.block.BlockStore;
import io.sluice.worker.block.TempBlock;
import io.sluice.worker.data.DataHandler;
import io.sluice.worker.data.DataTraffic;
import io.sluice.worker.data.LocalClientCheck;
import io.sluice.worker.data.ShortCircuitLeases;
import io.sluice.worker.data.TransferMode;
import io.sluice.worker.ufs.ReadThrough;
import io.sluice.worker.ufs.ReadThroughStats;
import io.sluice.worker.ufs.UfsBlockReader;
import io.sluice.worker.ufs.UfsMounts;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A block copied from a real source worker's data server (a store behind READ_BLOCK) into another store: the copy is
 * committed byte for byte and reported; a source whose block file no longer matches its checksums, or that does
 * not hold the block, fails the copy, leaves nothing in the target and reports the failure for the next heartbeat.
 */
class BlockCopierTest {
  private static final int CHUNK = ChunkChecksums.CHUNK;

  @TempDir
  Path dir;

  private BlockStore source;
  private BlockStore target;
  private ReadThrough readThrough;
  private RpcServer server;
  private BlockCopier copier;
  private final CopyStats stats = new CopyStats();
  private final List<Long> reported = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    source = new BlockStore(Files.createDirectories(dir.resolve("source")), 64L << 20, false);
    source.open();
    target = new BlockStore(Files.createDirectories(dir.resolve("target")), 64L << 20, false);
    target.open();
    RpcOptions opts = RpcOptions.defaults().withCallTimeout(Duration.ofSeconds(10));
    ReadThroughStats cache = new ReadThroughStats();
    readThrough = new ReadThrough(source, new UfsBlockReader(new UfsMounts(List::of, UfsRegistry.load()), cache),
        id -> CompletableFuture.completedFuture(null), 1, 4096);
    LocalClientCheck check = LocalClientCheck.create(dir.resolve("sc.token"), "");
    server = new RpcServer("worker-data", new InetSocketAddress("127.0.0.1", 0), new DataHandler(source, CHUNK,
        id -> CompletableFuture.completedFuture(null), new DataTraffic(), readThrough, cache,
        new ShortCircuitLeases(source, cache, check, 16, Duration.ofSeconds(5)), TransferMode.ZERO_COPY, opts),
        opts).start();
    copier = new BlockCopier(target, id -> {
      synchronized (reported) {
        reported.add(id);
      }
      return CompletableFuture.completedFuture(null);
    }, null, opts, 2, CHUNK * 2, stats);
  }

  @AfterEach
  void stop() {
    if (copier != null) {
      copier.close();
    }
    if (server != null) {
      server.close();
    }
    if (readThrough != null) {
      readThrough.close();
    }
  }

  private byte[] commitInSource(long id, int length) throws Exception {
    byte[] data = new byte[length];
    new Random(id).nextBytes(data);
    TempBlock t = source.create(id, length);
    ByteBuf buf = Unpooled.wrappedBuffer(data);
    try {
      t.append(buf);
    } finally {
      buf.release();
    }
    t.commit();
    return data;
  }

  private BlockCopyTask task(long id, long length) {
    return BlockCopyTask.newBuilder().setBlockId(id).setLength(length).setSource(WorkerAddress.newBuilder()
        .setHost("127.0.0.1").setDataPort(server.address().getPort())).build();
  }

  private static void await(java.util.function.BooleanSupplier done, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  private byte[] readTarget(long id) throws IOException, io.sluice.common.rpc.RpcException {
    return Files.readAllBytes(target.path(id));
  }

  /** Failures taken as a heartbeat would, gathered until one for {@code id} arrives. */
  private BlockLoadFailure awaitFailure(long id) throws InterruptedException {
    List<BlockLoadFailure> seen = new ArrayList<>();
    await(() -> {
      seen.addAll(copier.takeFailures());
      return seen.stream().anyMatch(f -> f.getBlockId() == id);
    }, "a failure of block " + id);
    return seen.stream().filter(f -> f.getBlockId() == id).findFirst().orElseThrow();
  }

  @Test
  void blocksAreCopiedWholeAndReported() throws Exception {
    byte[] big = commitInSource(1, 5 * CHUNK + 123);
    byte[] small = commitInSource(2, 10);
    copier.run(List.of(task(1, big.length), task(2, small.length)));
    await(() -> target.contains(1) && target.contains(2), "both copies");
    assertArrayEquals(big, readTarget(1));
    assertArrayEquals(small, readTarget(2));
    await(() -> {
      synchronized (reported) {
        return reported.containsAll(List.of(1L, 2L));
      }
    }, "both reported");
    assertEquals(2, stats.copied());
    assertEquals(big.length + small.length, stats.bytes());
    assertEquals(List.of(), copier.takeFailures());
  }

  @Test
  void aCorruptSourceFailsTheCopyAndLeavesNothing() throws Exception {
    byte[] data = commitInSource(3, 3 * CHUNK);
    try (RandomAccessFile f = new RandomAccessFile(source.path(3).toFile(), "rw")) {
      f.seek(CHUNK + 5);
      f.write(data[CHUNK + 5] ^ 0x5a);
    }
    copier.run(List.of(task(3, data.length)));
    BlockLoadFailure f = awaitFailure(3);
    assertEquals(Status.IO_ERROR, f.getStatus());
    assertTrue(f.getMessage().contains("checksum mismatch in the chunk at offset " + CHUNK), f.getMessage());
    assertFalse(target.contains(3));
    assertEquals(1, stats.failed());
  }

  @Test
  void aBlockTheSourceDoesNotHoldFailsWithItsStatus() throws Exception {
    copier.run(List.of(task(4, 100)));
    assertEquals(Status.NOT_FOUND, awaitFailure(4).getStatus());
    assertFalse(target.contains(4));
  }
}
