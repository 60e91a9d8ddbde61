package io.sluice.common.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.Unpooled;
import io.netty.util.AttributeKey;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FrameHeader;
import io.sluice.common.proto.FrameKind;
import io.sluice.common.proto.GetStatusRequest;
import io.sluice.common.proto.GetStatusResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.testing.RawRpcPeer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The server's {@link RpcLimits} and credit cap over real sockets: each test fails when its protection is removed
 * (the unprotected outcome is named in each test).
 */
class RpcLimitsTest {
  private static final int PARK = 1;
  private static final int BIG = 2;
  private static final int STREAM = 3;
  private static final int ECHO = 4;
  private static final int BIG_BYTES = 64 * 1024;
  private static final int STREAM_FRAMES = 3000;

  private final BlockingQueue<ServerCall> parked = new LinkedBlockingQueue<>();
  private final AtomicInteger bigAnswered = new AtomicInteger();
  private final List<HandshakeFailure> refusals = new CopyOnWriteArrayList<>();
  private final String bigName = "x".repeat(BIG_BYTES);
  private RpcServer server;

  /** PARK never answers by itself; BIG answers 64 KiB; STREAM sends one small frame per credit; ECHO echoes. */
  private final RpcHandler handler = call -> {
    try {
      switch (call.method()) {
        case PARK -> parked.add(call);
        case BIG -> {
          bigAnswered.incrementAndGet();
          call.respond(GetStatusResponse.newBuilder().setInfo(FileInfo.newBuilder().setName(bigName)).build());
        }
        case STREAM -> new Sender(call).start();
        case ECHO -> call.respond(GetStatusResponse.newBuilder().setInfo(FileInfo.newBuilder()
            .setName(call.parse(GetStatusRequest.parser()).getPath())).build());
        default -> call.fail(Status.INVALID_ARGUMENT, "unknown method " + call.method());
      }
    } catch (RpcException e) {
      call.fail(e);
    }
  };

  /** One 16-byte frame per credit, as a block read stream does, then the answer. */
  private static final class Sender implements StreamListener {
    private final ServerCall call;
    private int credits;
    private int sent;

    Sender(ServerCall call) {
      this.call = call;
    }

    void start() {
      call.setStreamListener(this);
      onCredit(call.header().getCredits());
    }

    @Override
    public void onCredit(int n) {
      credits += n;
      while (credits > 0 && sent < STREAM_FRAMES) {
        credits--;
        call.sendData(sent++, List.of(), Unpooled.wrappedBuffer(new byte[16]), 16);
      }
      if (sent == STREAM_FRAMES) {
        call.respond(GetStatusResponse.getDefaultInstance());
      }
    }

    @Override
    public void onData(Frame frame) {
      frame.release();
    }
  }

  private RpcOptions start(Transport t, RpcLimits limits) throws RpcException {
    RpcOptions opts = RpcOptions.defaults().withTransport(t).withUser("alice").withMaxFrameBytes(1 << 20)
        .withCallTimeout(Duration.ofSeconds(5));
    server = new RpcServer("limits", new InetSocketAddress("127.0.0.1", 0), handler, opts, limits,
        new RpcServerObserver() {
          @Override
          public void handshakeFailed(HandshakeFailure reason) {
            refusals.add(reason);
          }
        }).start();
    return opts;
  }

  @AfterEach
  void stop() {
    parked.forEach(c -> c.fail(Status.UNAVAILABLE, "test over"));
    if (server != null) {
      server.close();
    }
  }

  private static GetStatusRequest stat(String path) {
    return GetStatusRequest.newBuilder().setPath(path).build();
  }

  private String echo(RpcClient c, String path) throws RpcException {
    return c.call(ECHO, stat(path), GetStatusResponse.parser()).getInfo().getName();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting until " + what);
      }
      Thread.sleep(10);
    }
  }

  /** Without the limit the third client is admitted and the refused socket stays open. */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void connectionsOverTheLimitAreClosedAtOnceAndTheOthersKeepWorking(Transport t) throws Exception {
    RpcOptions opts = start(t, RpcLimits.DEFAULTS.withMaxConnections(2));
    RpcClient a = RpcClient.connect(server.address(), opts);
    try (RpcClient b = RpcClient.connect(server.address(), opts)) {
      try {
        assertThrows(RpcException.class, () -> RpcClient.connect(server.address(), opts).close());
        try (RawRpcPeer raw = new RawRpcPeer(server.address())) {
          assertTrue(raw.drainUntilClosed(5000), "a connection over the limit must be closed at once");
        }
        assertEquals("/a", echo(a, "/a"));
        assertEquals("/b", echo(b, "/b"));
        assertEquals(List.of(HandshakeFailure.CONNECTIONS, HandshakeFailure.CONNECTIONS), refusals,
            "each refused connection counted, by its reason");
      } finally {
        a.close();
      }
      await("the closed connection is no longer counted", () -> server.connections() == 1);
      try (RpcClient c = RpcClient.connect(server.address(), opts)) {
        assertEquals("/c", echo(c, "/c"));
      }
    }
  }

  /** Without the limit the fifth call is parked too, and times out instead of being refused. */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void requestsOverTheInflightLimitAreRefusedUnavailable(Transport t) throws Exception {
    RpcOptions opts = start(t, RpcLimits.DEFAULTS.withMaxInflight(4));
    try (RpcClient c = RpcClient.connect(server.address(), opts);
        RpcClient other = RpcClient.connect(server.address(), opts)) {
      List<CompletableFuture<Frame>> open = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        open.add(c.call(PARK, stat("/p" + i)));
      }
      await("four calls are parked", () -> parked.size() == 4);
      RpcException e = assertThrows(RpcException.class, () -> RpcClient.await(c.call(PARK, stat("/over"))));
      assertEquals(Status.UNAVAILABLE, e.status());
      assertTrue(e.getMessage().contains("too many requests in flight"), e.getMessage());
      // The limit is per connection, and answered calls free their slots.
      CompletableFuture<Frame> elsewhere = other.call(PARK, stat("/other"));
      await("the other connection's call is parked", () -> parked.size() == 5);
      parked.poll().respond(GetStatusResponse.getDefaultInstance());
      RpcClient.await(open.get(0)).release();
      open.add(c.call(PARK, stat("/again")));
      await("a freed slot is used", () -> parked.size() == 5);
      for (ServerCall p = parked.poll(); p != null; p = parked.poll()) {
        p.respond(GetStatusResponse.getDefaultInstance());
      }
      for (CompletableFuture<Frame> f : open.subList(1, open.size())) {
        RpcClient.await(f).release();
      }
      RpcClient.await(elsewhere).release();
    }
  }

  private static long usedDirectMemory() {
    return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
  }

  /**
   * A peer that writes thousands of requests whose answers are 64 KiB each and never reads: the server stops
   * reading it once its queue is over the high water mark. Without that it answers every request and queues
   * {@code 3000 * 64 KiB} (190 MiB) of direct memory for a peer that will never take it.
   */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void aPeerThatNeverReadsCannotGrowTheServersQueue(Transport t) throws Exception {
    RpcOptions opts = start(t, RpcLimits.DEFAULTS.withWriteBuffer(64 * 1024, 256 * 1024));
    int requests = 3000;
    long before = usedDirectMemory();
    try (RawRpcPeer hog = new RawRpcPeer(server.address()).handshake("hog")) {
      byte[] body = stat("/big").toByteArray();
      for (int i = 1; i <= requests; i++) {
        hog.write(FrameHeader.newBuilder().setKind(FrameKind.REQUEST).setCallId(i).setMethod(BIG).build(), body,
            new byte[0]);
      }
      hog.flush();
      waitUntilSteady(bigAnswered);
      int answered = bigAnswered.get();
      long grown = usedDirectMemory() - before;
      System.out.printf("answered %d of %d requests of a peer that never reads; direct memory grew by %d KiB%n",
          answered, requests, grown / 1024);
      // Beyond the high mark, only what the kernel's socket buffers absorbed (a few MiB on loopback).
      assertTrue(answered < requests / 3, answered + " of " + requests + " answered to a peer that never reads");
      assertTrue(grown < 48L << 20, "direct memory grew by " + grown + " bytes");
      try (RpcClient good = RpcClient.connect(server.address(), opts)) {
        assertEquals("/served", echo(good, "/served"));
      }
    }
    await("the hog's queue is freed with its connection", () -> server.connections() == 0);
  }

  /**
   * A service's own read pauses (the worker pauses a write's upstream while its downstream is full) share the
   * connection's pause count with the dispatcher: a service resuming must not resume a connection the dispatcher
   * paused for a peer that does not read. With a plain {@code setAutoRead(true)} it would, and the dispatcher would
   * then hold every frame the peer sends.
   */
  @Test
  void aServicesResumeDoesNotUndoTheBackpressurePause() throws Exception {
    start(Transport.NIO, RpcLimits.DEFAULTS.withWriteBuffer(64 * 1024, 256 * 1024));
    try (RawRpcPeer hog = new RawRpcPeer(server.address()).handshake("hog")) {
      hog.write(FrameHeader.newBuilder().setKind(FrameKind.REQUEST).setCallId(1).setMethod(PARK).build(),
          stat("/p").toByteArray(), new byte[0]);
      for (int i = 2; i <= 1000; i++) {
        hog.write(FrameHeader.newBuilder().setKind(FrameKind.REQUEST).setCallId(i).setMethod(BIG).build(),
            stat("/big").toByteArray(), new byte[0]);
      }
      hog.flush();
      io.netty.channel.Channel ch = parked.take().channel();
      await("the dispatcher to pause the peer that does not read",
          () -> !ch.config().isAutoRead());  // a volatile in Netty's config, safe to poll from here
      Boolean[] autoRead = new Boolean[2];
      ch.eventLoop().submit(() -> {
        autoRead[0] = ch.config().isAutoRead();
        // What the worker's ReadPauses does: a counted pause, then its resume.
        int[] n = ch.attr(AttributeKey.<int[]>valueOf("sluice.readPauses")).get();
        if (n[0]++ == 0) {
          ch.config().setAutoRead(false);
        }
        if (--n[0] == 0) {
          ch.config().setAutoRead(true);
        }
        autoRead[1] = ch.config().isAutoRead();
      }).get();
      assertEquals(false, autoRead[0], "the dispatcher did not pause the peer that does not read");
      assertEquals(false, autoRead[1], "the service's resume undid the dispatcher's pause");
    }
  }

  /** Polls until {@code count} has not moved for half a second. */
  private static void waitUntilSteady(AtomicInteger count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    int last = -1;
    long steadySince = System.nanoTime();
    while (System.nanoTime() < deadline) {
      int now = count.get();
      if (now != last) {
        last = now;
        steadySince = System.nanoTime();
      } else if (System.nanoTime() - steadySince > TimeUnit.MILLISECONDS.toNanos(500)) {
        return;
      }
      Thread.sleep(20);
    }
  }

  /** Without the cap a grant of 2^31 (or of 2^32 - 1, negative as an int) releases every frame at once. */
  @Test
  void oneCreditFrameGrantsAtMostTheCap() throws Exception {
    start(Transport.NIO, RpcLimits.DEFAULTS);
    try (RawRpcPeer peer = new RawRpcPeer(server.address()).handshake("reader")) {
      peer.write(FrameHeader.newBuilder().setKind(FrameKind.REQUEST).setCallId(7).setMethod(STREAM)
          .setCredits(Integer.MAX_VALUE).build(), new byte[0], new byte[0]);
      peer.flush();
      readDataFramesThenNothing(peer, ServerCall.MAX_CREDITS_PER_GRANT);
      peer.write(FrameHeader.newBuilder().setKind(FrameKind.CREDIT).setCallId(7).setCredits(-1).build(), new byte[0],
          new byte[0]);
      peer.flush();
      readDataFramesThenNothing(peer, ServerCall.MAX_CREDITS_PER_GRANT);
    }
  }

  /**
   * Reads {@code expected} STREAM_DATA frames, however slowly they come, then finds no further frame within half a
   * second (a grant over the cap would have sent it with the others).
   */
  private static void readDataFramesThenNothing(RawRpcPeer peer, int expected) throws IOException {
    peer.socket().setSoTimeout(30_000);
    for (int n = 0; n < expected; n++) {
      assertEquals(FrameKind.STREAM_DATA, peer.read().header().getKind(), "frame " + n + " of the grant");
    }
    peer.socket().setSoTimeout(500);
    assertThrows(SocketTimeoutException.class, peer::read, "a frame beyond the grant's " + expected);
  }

  @Test
  void limitsComeFromConfiguration() {
    RpcLimits l = RpcLimits.from(io.sluice.common.conf.SluiceConf.defaults()
        .with(RpcLimits.MAX_CONNECTIONS, "10").with(RpcLimits.MAX_INFLIGHT, "3")
        .with(RpcLimits.WRITE_BUFFER_LOW, "8k").with(RpcLimits.WRITE_BUFFER_HIGH, "16k"));
    assertEquals(new RpcLimits(10, 3, 8192, 16384), l);
    assertThrows(IllegalArgumentException.class, () -> RpcLimits.DEFAULTS.withWriteBuffer(32, 16));
    assertThrows(IllegalArgumentException.class, () -> RpcLimits.DEFAULTS.withMaxInflight(0));
  }
}
