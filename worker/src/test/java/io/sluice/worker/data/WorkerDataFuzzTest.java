package io.sluice.worker.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.google.protobuf.CodedOutputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.sluice.common.checksum.ChunkChecksums;
import io.sluice.common.proto.FrameHeader;
import io.sluice.common.proto.FrameKind;
import io.sluice.common.proto.ReadBlockRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerMethod;
import io.sluice.common.proto.WriteBlockRequest;
import io.sluice.common.rpc.ClientStream;
import io.sluice.common.rpc.Frame;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.rpc.RpcServer;
import io.sluice.common.rpc.StreamListener;
import io.sluice.common.rpc.Transport;
import io.sluice.common.testing.CapturedLog;
import io.sluice.common.testing.RawRpcPeer;
import io.sluice.ufs.UfsRegistry;
import io.sluice.worker.block.BlockStore;
import io.sluice.worker.ufs.ReadThrough;
import io.sluice.worker.ufs.ReadThroughStats;
import io.sluice.worker.ufs.UfsBlockReader;
import io.sluice.worker.ufs.UfsMounts;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * Hostile traffic against a real worker data server (block store on disk, real sockets): for every
 * {@link WorkerMethod} and for method numbers that do not exist, requests with random, mutated or truncated bodies
 * and hostile credits, ranges and chunk sizes; data, ends and credits for calls that do not exist; bogus data for
 * open writes; cancel storms. Every request not cancelled must be answered (or its connection closed), nothing may
 * be logged at ERROR, and a well-behaved client must read a stored block back intact after every round. Run in
 * both transfer modes: COPY puts block bytes in direct buffers, the memory a hostile reader would aim at.
 *
 * <p>Seeded: the seed is printed and named in every failure. Run longer or replay with
 * {@code -Dsluice.fuzz.iterations=2000 -Dsluice.fuzz.seed=...} (iterations are rounds, one connection each).
 */
class WorkerDataFuzzTest {
  private static final int CHUNK = ChunkChecksums.CHUNK;
  private static final int BLOCK_BYTES = 3 * CHUNK + 123;
  private static final long[] BLOCK_IDS = {1, 2, 3, (1L << 20) | 1, 0, -1, Long.MAX_VALUE};
  private static final int[] WRONG_METHODS = {0, 1, 99, 105, 1000, -1};

  @TempDir
  Path dir;
  private RpcServer server;
  private ReadThrough readThrough;
  private RpcClient good;
  private final CapturedLog log = new CapturedLog();
  private final Logger sluiceLog = (Logger) LoggerFactory.getLogger("io.sluice");

  @AfterEach
  void stop() {
    sluiceLog.detachAppender(log);
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

  private byte[] start(TransferMode mode) throws Exception {
    BlockStore store = new BlockStore(dir, 64L << 20, false);
    store.open();
    RpcOptions opts = RpcOptions.defaults().withTransport(Transport.NIO).withCallTimeout(Duration.ofSeconds(20));
    ReadThroughStats stats = new ReadThroughStats();
    readThrough = new ReadThrough(store, new UfsBlockReader(new UfsMounts(List::of, UfsRegistry.load()), stats),
        id -> CompletableFuture.completedFuture(null), 1, 4096);
    LocalClientCheck check = LocalClientCheck.create(dir.resolve("sc.token"), "");
    server = new RpcServer("worker-data", new InetSocketAddress("127.0.0.1", 0), new DataHandler(store, CHUNK,
        id -> CompletableFuture.completedFuture(null), new DataTraffic(), readThrough, stats,
        new ShortCircuitLeases(store, stats, check, 1024, Duration.ofSeconds(5)), mode, opts), opts).start();
    good = RpcClient.connect(server.address(), opts);
    byte[] data = new byte[BLOCK_BYTES];
    new SplittableRandom(7).nextBytes(data);
    ClientStream w = good.openStream(WorkerMethod.WRITE_BLOCK_VALUE, WriteBlockRequest.newBuilder().setBlockId(1)
        .setMaxLength(BLOCK_BYTES).build(), 0, DROP);
    for (int off = 0; off < data.length; off += CHUNK) {
      int n = Math.min(CHUNK, data.length - off);
      CRC32C c = new CRC32C();
      c.update(data, off, n);
      w.sendData(off, List.of((int) c.getValue()), Unpooled.wrappedBuffer(data, off, n));
    }
    w.end();
    RpcClient.await(w.response()).release();
    log.start();
    sluiceLog.addAppender(log);
    return data;
  }

  private static final StreamListener DROP = new StreamListener() {
    @Override
    public void onData(Frame frame) {
      frame.release();
    }
  };

  private byte[] readBack() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ClientStream s = good.openStream(WorkerMethod.READ_BLOCK_VALUE, ReadBlockRequest.newBuilder().setBlockId(1)
        .setLength(-1).build(), 16, new StreamListener() {
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

  @ParameterizedTest
  @EnumSource(TransferMode.class)
  void hostileFramesAreAnsweredAndTheWorkerKeepsServing(TransferMode mode) throws Exception {
    byte[] block = start(mode);
    long seed = Long.getLong("sluice.fuzz.seed", System.nanoTime());
    int rounds = Integer.getInteger("sluice.fuzz.iterations", 30);
    System.out.println("WorkerDataFuzzTest seed " + seed + ", " + rounds + " rounds, " + mode);
    SplittableRandom random = new SplittableRandom(seed);
    List<WorkerMethod> methods = new ArrayList<>(Arrays.asList(WorkerMethod.values()));
    methods.remove(WorkerMethod.UNRECOGNIZED);
    int answered = 0;
    int closed = 0;
    for (int round = 0; round < rounds; round++) {
      String where = "seed " + seed + ", round " + round + ", " + mode + " (replay with -Dsluice.fuzz.seed=" + seed
          + ")";
      int n = round(random, methods, where);
      if (n < 0) {
        closed++;
      } else {
        answered += n;
      }
      assertArrayEquals(block, readBack(), "block 1 read back at " + where);
      List<String> errors = log.events().stream().filter(e -> e.getLevel() == Level.ERROR)
          .map(e -> e.getFormattedMessage() + " " + (e.getThrowableProxy() == null ? ""
              : e.getThrowableProxy().getClassName() + ": " + e.getThrowableProxy().getMessage())).toList();
      assertEquals(List.of(), errors, "logged at ERROR at " + where);
      log.clear();
    }
    System.out.println("WorkerDataFuzzTest: " + answered + " answers, " + closed + " connections closed");
  }

  /** One connection's worth of hostile frames; returns the answers counted, or -1 when the worker closed it. */
  private int round(SplittableRandom random, List<WorkerMethod> methods, String where) throws IOException {
    Set<Long> expected = new HashSet<>();
    try (RawRpcPeer peer = new RawRpcPeer(server.address())) {
      peer.handshake("fuzz");
      long nextId = 1;
      int frames = 1 + random.nextInt(30);
      for (int f = 0; f < frames; f++) {
        int what = random.nextInt(20);
        if (what == 0) {
          peer.write(FrameHeader.newBuilder().setKind(FrameKind.ONE_WAY).setCallId(nextId++)
              .setMethod(methods.get(random.nextInt(methods.size())).getNumber()).build(), body(random),
              new byte[0]);
        } else if (what < 12) {
          long id = nextId++;
          int method = random.nextInt(8) == 0 ? WRONG_METHODS[random.nextInt(WRONG_METHODS.length)]
              : methods.get(random.nextInt(methods.size())).getNumber();
          peer.write(FrameHeader.newBuilder().setKind(FrameKind.REQUEST).setCallId(id).setMethod(method)
              .setCredits(credits(random)).build(), body(random), new byte[0]);
          expected.add(id);
        } else if (what < 16) {
          // Data, ends and credits for calls that are open (writes, reads) or never were.
          FrameKind kind = List.of(FrameKind.STREAM_DATA, FrameKind.STREAM_END, FrameKind.CREDIT)
              .get(random.nextInt(3));
          long id = random.nextInt((int) nextId + 3);
          peer.write(FrameHeader.newBuilder().setKind(kind).setCallId(id).setCredits(credits(random))
              .setOffset(random.nextInt(4) == 0 ? random.nextLong() : random.nextInt(4) * CHUNK)
              .addChunkCrcs(random.nextInt()).build(), new byte[0], randomBytes(random, 3000));
        } else {
          for (int c = random.nextInt(50); c > 0; c--) {
            long id = random.nextInt((int) nextId + 5);
            peer.write(FrameHeader.newBuilder().setKind(FrameKind.CANCEL).setCallId(id).build(), new byte[0],
                new byte[0]);
            expected.remove(id);
          }
        }
      }
      // Every stream may finish: writes are ended, reads get all the credits one frame may grant.
      for (long id : expected) {
        peer.write(FrameHeader.newBuilder().setKind(FrameKind.STREAM_END).setCallId(id).build(), new byte[0],
            new byte[0]);
        peer.write(FrameHeader.newBuilder().setKind(FrameKind.CREDIT).setCallId(id).setCredits(-1).build(),
            new byte[0], new byte[0]);
      }
      peer.flush();
      return collect(peer, expected, where);
    }
  }

  private static int credits(SplittableRandom random) {
    int[] hostile = {0, 1, 2, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 1024, 1025};
    return hostile[random.nextInt(hostile.length)];
  }

  /** Reads until every expected call was answered; -1 when the connection was closed first. */
  private static int collect(RawRpcPeer peer, Set<Long> expected, String where) throws IOException {
    int n = 0;
    try {
      while (!expected.isEmpty()) {
        RawRpcPeer.Received r = peer.read();
        if (r.header().getKind() == FrameKind.RESPONSE) {
          expected.remove(r.header().getCallId());
          n++;
          assertNotInternal(r, where);
        } else if (r.header().getKind() != FrameKind.STREAM_DATA) {
          fail("a " + r.header().getKind() + " frame at " + where);
        }
      }
    } catch (EOFException | SocketException e) {
      return -1;
    } catch (SocketTimeoutException e) {
      fail("no answer to calls " + expected + " within 10 s at " + where);
    }
    return n;
  }

  private static void assertNotInternal(RawRpcPeer.Received r, String where) {
    if (r.header().getStatus() == Status.INTERNAL) {
      fail("INTERNAL answer to method " + r.header().getMethod() + " (" + r.header().getError() + ") at " + where);
    }
  }

  private static byte[] randomBytes(SplittableRandom random, int max) {
    byte[] b = new byte[random.nextInt(max)];
    random.nextBytes(b);
    return b;
  }

  /** A body: random fields of the data requests' shapes, random bytes, or either cut short or bit-flipped. */
  private static byte[] body(SplittableRandom random) throws IOException {
    byte[] b = random.nextInt(6) == 0 ? randomBytes(random, 64) : message(random, 1);
    if (b.length > 0 && random.nextInt(5) == 0) {
      b = Arrays.copyOf(b, random.nextInt(b.length));
    }
    if (b.length > 0 && random.nextInt(5) == 0) {
      b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
    }
    return b;
  }

  /** Up to six fields among 1..6: block ids, hostile offsets, lengths and sizes, nested messages, junk. */
  private static byte[] message(SplittableRandom random, int depth) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    for (int f = random.nextInt(7); f > 0; f--) {
      int field = 1 + random.nextInt(6);
      switch (random.nextInt(5)) {
        case 0 -> out.writeInt64(field, BLOCK_IDS[random.nextInt(BLOCK_IDS.length)]);
        case 1 -> out.writeInt64(field, List.of(0L, 1L, -1L, -2L, (long) CHUNK, (long) BLOCK_BYTES,
            BLOCK_BYTES + 1L, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40).get(random.nextInt(10)));
        case 2 -> out.writeInt32(field, List.of(0, 1, -1, 4096, CHUNK, Integer.MAX_VALUE).get(random.nextInt(6)));
        case 3 -> out.writeByteArray(field, depth > 0 ? message(random, depth - 1) : randomBytes(random, 16));
        default -> out.writeUInt64(field, random.nextLong());
      }
    }
    out.flush();
    return bytes.toByteArray();
  }
}
