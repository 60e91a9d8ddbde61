package io.sluice.worker.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.sluice.common.checksum.ChunkChecksums;
import io.sluice.common.proto.BlockLocation;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerAddress;
import io.sluice.common.proto.WorkerMethod;
import io.sluice.common.proto.WriteBlockRequest;
import io.sluice.common.proto.WriteBlockResponse;
import io.sluice.common.rpc.ClientStream;
import io.sluice.common.rpc.Frame;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.rpc.RpcServer;
import io.sluice.common.rpc.Transport;
import io.sluice.ufs.UfsRegistry;
import io.sluice.worker.block.BlockStore;
import io.sluice.worker.ufs.ReadThrough;
import io.sluice.worker.ufs.ReadThroughStats;
import io.sluice.worker.ufs.UfsBlockReader;
import io.sluice.worker.ufs.UfsMounts;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Block replication through a write pipeline of three data servers over real sockets: what the first receives lands
 * on all three, a member that goes away mid-block only reduces the replicas, and a bad frame fails every member.
 */
class PipelineTest {
  private static final int CHUNK = ChunkChecksums.CHUNK;
  private static final int MEMBERS = 3;

  @TempDir
  Path dir;

  private final List<Member> members = new ArrayList<>();
  private RpcClient client;

  /** One worker's data server with its own store; worker id = index + 1. */
  private record Member(long id, Path root, BlockStore store, ReadThrough readThrough, RpcServer server,
      DataTraffic traffic, int port) {
    /** Where it listens (or listened: the port stays known after close). */
    BlockLocation location() {
      return BlockLocation.newBuilder().setWorkerId(id).setAddress(WorkerAddress.newBuilder()
          .setHost("127.0.0.1").setDataPort(port)).build();
    }

    void close() {
      server.close();
      readThrough.close();
    }
  }

  private void start(Transport t) throws Exception {
    start(t, RpcOptions.defaults().withTransport(t).withCallTimeout(Duration.ofSeconds(20)));
  }

  private void start(Transport t, RpcOptions opts) throws Exception {
    for (int i = 0; i < MEMBERS; i++) {
      Path root = dir.resolve("w" + i);
      BlockStore store = new BlockStore(root, 256L << 20, false);
      store.open();
      ReadThroughStats stats = new ReadThroughStats();
      ReadThrough rt = new ReadThrough(store, new UfsBlockReader(new UfsMounts(List::of, UfsRegistry.load()),
          stats), id -> CompletableFuture.completedFuture(null), 1, 4096);
      DataTraffic traffic = new DataTraffic();
      LocalClientCheck check = LocalClientCheck.create(dir.resolve("sc-" + i + ".token"), "");
      RpcServer server = new RpcServer("worker-data-" + i, new InetSocketAddress("127.0.0.1", 0),
          new DataHandler(store, CHUNK, id -> CompletableFuture.completedFuture(null), traffic, rt, stats,
              new ShortCircuitLeases(store, stats, check, 16, Duration.ofSeconds(5)), TransferMode.ZERO_COPY, opts),
          opts).start();
      members.add(new Member(i + 1, root, store, rt, server, traffic, server.address().getPort()));
    }
    client = RpcClient.connect(members.get(0).server().address(), opts);
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    for (Member m : members) {
      m.close();
    }
  }

  private static byte[] data(int length) {
    byte[] b = new byte[length];
    new Random(length).nextBytes(b);
    return b;
  }

  private static List<Integer> sums(byte[] b, int off, int len) {
    List<Integer> out = new ArrayList<>();
    for (int at = 0; at < len; at += CHUNK) {
      CRC32C c = new CRC32C();
      c.update(b, off + at, Math.min(CHUNK, len - at));
      out.add((int) c.getValue());
    }
    return out;
  }

  private ClientStream open(long blockId, int maxLength) {
    return open(blockId, maxLength, false);
  }

  private ClientStream open(long blockId, int maxLength, boolean pin) {
    WriteBlockRequest.Builder req = WriteBlockRequest.newBuilder().setBlockId(blockId).setMaxLength(maxLength)
        .setPin(pin);
    for (Member m : members) {
      req.addPipeline(m.location());
    }
    return client.openStream(WorkerMethod.WRITE_BLOCK_VALUE, req.build(), 0, Frame::release);
  }

  private static void send(ClientStream s, byte[] data, int from, int to, int frame) throws RpcException {
    for (int off = from; off < to; off += frame) {
      int n = Math.min(frame, to - off);
      s.sendData(off, sums(data, off, n), Unpooled.wrappedBuffer(data, off, n));
    }
  }

  private static WriteBlockResponse finish(ClientStream s) throws RpcException {
    s.end();
    Frame f = RpcClient.await(s.response());
    try {
      return f.parseBody(WriteBlockResponse.parser());
    } finally {
      f.release();
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10); // polling with a deadline, not a wait for a guessed duration
    }
  }

  private static boolean tmpEmpty(Member m) {
    try (var s = Files.list(m.root().resolve("tmp"))) {
      return s.findAny().isEmpty();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static byte[] sumsFile(Member m, long blockId, int length) throws Exception {
    return Files.readAllBytes(m.root().resolve("sums").resolve(blockId + "." + length));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aBlockWrittenToTheFirstLandsIdenticalOnAll(Transport t) throws Exception {
    start(t);
    byte[] data = data(6 * 1024 * 1024 + 777);
    ClientStream s = open(7, data.length);
    send(s, data, 0, data.length, 2 * CHUNK);
    WriteBlockResponse r = finish(s);
    assertEquals(data.length, r.getLength());
    assertEquals(List.of(1L, 2L, 3L), r.getCommittedWorkerIdsList());
    byte[] sums0 = sumsFile(members.get(0), 7, data.length);
    for (Member m : members) {
      assertArrayEquals(data, Files.readAllBytes(m.store().path(7)), "block on worker " + m.id());
      assertArrayEquals(sums0, sumsFile(m, 7, data.length), "sums on worker " + m.id());
      assertTrue(tmpEmpty(m));
    }
  }

  /** Issue 4: a Sluice-native block is pinned as it commits, on every member, before any master pins it. */
  @Test
  void aBlockWrittenWithPinIsPinnedOnEveryMember() throws Exception {
    start(Transport.choose(true));
    byte[] data = data(3 * CHUNK + 5);
    ClientStream s = open(12, data.length, true);
    send(s, data, 0, data.length, CHUNK);
    assertEquals(List.of(1L, 2L, 3L), finish(s).getCommittedWorkerIdsList());
    ClientStream plain = open(13, data.length);
    send(plain, data, 0, data.length, CHUNK);
    finish(plain);
    for (Member m : members) {
      assertTrue(m.store().pinned(12), "block 12 pinned on worker " + m.id());
      assertFalse(m.store().pinned(13), "block 13 (no pin asked) on worker " + m.id());
    }
  }

  @Test
  void aLastMemberClosedMidBlockLeavesTheOthersCommitted() throws Exception {
    closeMidBlock(2, List.of(1L, 2L));
  }

  @Test
  void aMiddleMemberClosedMidBlockLeavesTheFirstCommitted() throws Exception {
    closeMidBlock(1, List.of(1L));
  }

  private void closeMidBlock(int victim, List<Long> survivors) throws Exception {
    start(Transport.choose(true));
    byte[] data = data(4 * 1024 * 1024 + 5);
    ClientStream s = open(8, data.length);
    int half = 2 * 1024 * 1024;
    send(s, data, 0, half, CHUNK);
    Member v = members.get(victim);
    await(() -> v.traffic().bytesReceived() > 0, "the victim to receive part of the block");
    v.close();
    send(s, data, half, data.length, CHUNK);
    WriteBlockResponse r = finish(s);
    assertEquals(data.length, r.getLength());
    assertEquals(survivors, r.getCommittedWorkerIdsList());
    for (Member m : members) {
      if (survivors.contains(m.id())) {
        assertArrayEquals(data, Files.readAllBytes(m.store().path(8)), "block on worker " + m.id());
      } else {
        assertFalse(m.store().contains(8), "worker " + m.id() + " holds the block");
        await(() -> tmpEmpty(m), "the temp block on worker " + m.id() + " to go");
      }
      assertTrue(tmpEmpty(m));
    }
  }

  @Test
  void aMemberThatCannotBeReachedIsSkipped() throws Exception {
    start(Transport.choose(true));
    members.get(1).close();
    byte[] data = data(3 * CHUNK + 9);
    ClientStream s = open(10, data.length);
    send(s, data, 0, data.length, CHUNK);
    WriteBlockResponse r = finish(s);
    assertEquals(List.of(1L, 3L), r.getCommittedWorkerIdsList());
    assertArrayEquals(data, Files.readAllBytes(members.get(2).store().path(10)));
  }

  /**
   * A downstream that stops reading holds the pipeline back (the first member stops reading its client rather than
   * buffering the block) until the stall timeout drops it; the write then completes on the first member alone.
   */
  @Test
  void aStalledDownstreamHoldsTheUpstreamBackThenIsDropped() throws Exception {
    Transport t = Transport.choose(true);
    // The first member gives up on its full downstream after 4 s (half the call timeout, one member after it):
    // time enough to see it level off first, on a busy machine too. The client waits longer for its own sends.
    start(t, RpcOptions.defaults().withTransport(t).withCallTimeout(Duration.ofSeconds(8)));
    client.close();
    client = RpcClient.connect(members.get(0).server().address(),
        RpcOptions.defaults().withTransport(t).withCallTimeout(Duration.ofSeconds(60)));
    CountDownLatch opened = new CountDownLatch(1);
    // A real server that takes the forwarded write and then reads no more of its connection.
    RpcServer stalled = new RpcServer("stalled", new InetSocketAddress("127.0.0.1", 0), call -> {
      call.channel().config().setOption(ChannelOption.SO_RCVBUF, 64 * 1024);
      call.channel().config().setAutoRead(false);
      call.setStreamListener(Frame::release);
      opened.countDown();
    }, RpcOptions.defaults().withTransport(t)).start();
    try {
      byte[] data = data(64 << 20);
      WriteBlockRequest req = WriteBlockRequest.newBuilder().setBlockId(11).setMaxLength(data.length)
          .addPipeline(members.get(0).location()).addPipeline(BlockLocation.newBuilder().setWorkerId(99)
              .setAddress(WorkerAddress.newBuilder().setHost("127.0.0.1").setDataPort(stalled.address().getPort())))
          .build();
      ClientStream s = client.openStream(WorkerMethod.WRITE_BLOCK_VALUE, req, 0, Frame::release);
      CompletableFuture<WriteBlockResponse> done = CompletableFuture.supplyAsync(() -> {
        try {
          send(s, data, 0, data.length, 1 << 20);
          return finish(s);
        } catch (RpcException e) {
          throw new IllegalStateException(e);
        }
      }, r -> new Thread(r, "pipeline writer").start());
      assertTrue(opened.await(20, TimeUnit.SECONDS));
      // Received bytes stop growing well before the block's end: the first member stopped reading its client.
      DataTraffic first = members.get(0).traffic();
      long[] last = {-1};
      long[] since = {System.nanoTime()};
      await(() -> {
        long now = first.bytesReceived();
        if (now != last[0]) {
          last[0] = now;
          since[0] = System.nanoTime();
        }
        return System.nanoTime() - since[0] > TimeUnit.MILLISECONDS.toNanos(500) || done.isDone();
      }, "the first member's intake to level off");
      assertFalse(done.isDone(), "the write finished although its downstream read nothing");
      assertTrue(last[0] < data.length / 2, "took " + last[0] + " bytes while its downstream was stalled");
      WriteBlockResponse r = done.get(60, TimeUnit.SECONDS);
      assertEquals(List.of(1L), r.getCommittedWorkerIdsList());
      assertArrayEquals(data, Files.readAllBytes(members.get(0).store().path(11)));
    } finally {
      stalled.close();
    }
  }

  @Test
  void aCorruptFrameFailsThePipelineAndLeavesNoTempFiles() throws Exception {
    start(Transport.choose(true));
    byte[] data = data(2 * 1024 * 1024);
    ClientStream s = open(9, data.length);
    send(s, data, 0, CHUNK * 8, CHUNK);
    Member last = members.get(MEMBERS - 1);
    await(() -> last.traffic().bytesReceived() > 0, "the last member to receive part of the block");
    List<Integer> bad = sums(data, CHUNK * 8, CHUNK);
    bad.set(0, bad.get(0) ^ 1);
    try {
      s.sendData(CHUNK * 8, bad, Unpooled.wrappedBuffer(data, CHUNK * 8, CHUNK));
    } catch (RpcException ignored) {
      // The worker may already have failed the call: the answer below says why.
    }
    RpcException e = assertThrows(RpcException.class, () -> RpcClient.await(s.response()));
    assertEquals(Status.IO_ERROR, e.status());
    assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
    for (Member m : members) {
      await(() -> tmpEmpty(m), "the temp block on worker " + m.id() + " to go");
      assertFalse(m.store().contains(9), "worker " + m.id() + " holds the block");
    }
  }
}
