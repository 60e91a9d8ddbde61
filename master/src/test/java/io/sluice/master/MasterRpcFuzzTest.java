package io.sluice.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.google.protobuf.CodedOutputStream;
import io.sluice.common.proto.FrameHeader;
import io.sluice.common.proto.FrameKind;
import io.sluice.common.proto.GetStatusRequest;
import io.sluice.common.proto.GetStatusResponse;
import io.sluice.common.proto.MasterMethod;
import io.sluice.common.proto.MkdirRequest;
import io.sluice.common.proto.MkdirResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.testing.CapturedLog;
import io.sluice.common.testing.RawRpcPeer;
import io.sluice.master.testing.FakeClock;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Hostile traffic against a real master over real sockets: for every {@link MasterMethod} and for method numbers
 * that do not exist, requests with random, mutated or truncated protobuf bodies, plus stream frames and credits
 * for calls that do not exist and storms of cancels. Every request not cancelled must be answered (or its
 * connection closed), no answer may be INTERNAL and nothing may be logged at ERROR (both mean an unexpected
 * exception on the master), and a well-behaved client on another connection must get correct answers after every
 * round.
 *
 * <p>Seeded and deterministic in what it sends: the seed is printed and named in every failure. Run longer or
 * replay with {@code -Dsluice.fuzz.iterations=2000 -Dsluice.fuzz.seed=...} (iterations are rounds, one connection
 * each).
 */
class MasterRpcFuzzTest {
  private static final List<String> PATHS = List.of("/", "/fz", "/fz/a", "/fz/b", "/fz/a/c", "/fz/b/d", "", "fz",
      "/fz/", "/fz/../fz", "/fz/\0", "/" + "n".repeat(300), "file:///nonexistent-sluice-fuzz/x",
      "s3://no-such-bucket/x", "/fz/a/c/d/e/f");
  private static final int[] WRONG_METHODS = {0, 22, 29, 38, 99, 1 << 20, -1};

  @TempDir
  static Path dir;
  static MasterServer master;
  static RpcClient good;
  static final CapturedLog LOG = new CapturedLog();
  static final Logger SLUICE_LOG = (Logger) LoggerFactory.getLogger("io.sluice");

  @BeforeAll
  static void start() throws Exception {
    master = new MasterServer(MasterServerTest.conf(dir), new FakeClock(1_700_000_000_000L)).start();
    good = RpcClient.connect(master.rpcAddress(), RpcOptions.defaults().withUser("alice"));
    LOG.start();
    SLUICE_LOG.addAppender(LOG);
  }

  @AfterAll
  static void stop() {
    SLUICE_LOG.detachAppender(LOG);
    if (good != null) {
      good.close();
    }
    if (master != null) {
      master.close();
    }
  }

  @Test
  void hostileRequestsAreAnsweredAndTheMasterKeepsServing() throws Exception {
    long seed = Long.getLong("sluice.fuzz.seed", System.nanoTime());
    int rounds = Integer.getInteger("sluice.fuzz.iterations", 30);
    System.out.println("MasterRpcFuzzTest seed " + seed + ", " + rounds + " rounds");
    SplittableRandom random = new SplittableRandom(seed);
    List<MasterMethod> methods = new ArrayList<>(Arrays.asList(MasterMethod.values()));
    methods.remove(MasterMethod.UNRECOGNIZED);
    int answered = 0;
    int closed = 0;
    for (int round = 0; round < rounds; round++) {
      String where = "seed " + seed + ", round " + round + " (replay with -Dsluice.fuzz.seed=" + seed + ")";
      int n = round(random, methods, where);
      if (n < 0) {
        closed++;
      } else {
        answered += n;
      }
      String path = "/good-" + round;
      assertEquals(path.substring(1), good.call(MasterMethod.MKDIR.getNumber(), MkdirRequest.newBuilder()
          .setPath(path).build(), MkdirResponse.parser()).getInfo().getName(), where);
      assertEquals(path.substring(1), good.call(MasterMethod.GET_STATUS.getNumber(), GetStatusRequest.newBuilder()
          .setPath(path).build(), GetStatusResponse.parser()).getInfo().getName(), where);
      List<String> errors = LOG.events().stream().filter(e -> e.getLevel() == Level.ERROR)
          .map(e -> e.getFormattedMessage() + " " + (e.getThrowableProxy() == null ? ""
              : e.getThrowableProxy().getClassName() + ": " + e.getThrowableProxy().getMessage())).toList();
      assertEquals(List.of(), errors, "logged at ERROR at " + where);
      LOG.clear();
    }
    System.out.println("MasterRpcFuzzTest: " + answered + " answers, " + closed + " connections closed");
  }

  /** One connection's worth of hostile frames; returns the answers counted, or -1 when the master closed it. */
  private static int round(SplittableRandom random, List<MasterMethod> methods, String where) throws IOException {
    Set<Long> expected = new HashSet<>();
    try (RawRpcPeer peer = new RawRpcPeer(master.rpcAddress())) {
      peer.handshake(random.nextBoolean() ? "alice" : "bob");
      long nextId = 1;
      int frames = 1 + random.nextInt(40);
      for (int f = 0; f < frames; f++) {
        int what = random.nextInt(20);
        if (what == 0) {  // answered by nobody: the call ends when the handler returns
          peer.write(FrameHeader.newBuilder().setKind(FrameKind.ONE_WAY).setCallId(nextId++)
              .setMethod(methods.get(random.nextInt(methods.size())).getNumber()).build(), body(random), new byte[0]);
        } else if (what < 14) {
          long id = nextId++;
          int method = random.nextInt(8) == 0 ? WRONG_METHODS[random.nextInt(WRONG_METHODS.length)]
              : methods.get(random.nextInt(methods.size())).getNumber();
          peer.write(FrameHeader.newBuilder().setKind(FrameKind.REQUEST).setCallId(id).setMethod(method)
              .setRequestId(random.nextInt(3) == 0 ? random.nextLong() : 0).build(), body(random), new byte[0]);
          expected.add(id);
        } else if (what < 17) {
          FrameKind kind = List.of(FrameKind.STREAM_DATA, FrameKind.STREAM_END, FrameKind.CREDIT)
              .get(random.nextInt(3));
          peer.write(FrameHeader.newBuilder().setKind(kind).setCallId(1000 + random.nextInt(1000))
              .setCredits(random.nextInt()).build(), new byte[0], randomBytes(random, 512));
        } else {
          for (int c = random.nextInt(50); c > 0; c--) {  // a cancel storm, some for calls in flight
            long id = random.nextInt((int) nextId + 5);
            peer.write(FrameHeader.newBuilder().setKind(FrameKind.CANCEL).setCallId(id).build(), new byte[0],
                new byte[0]);
            expected.remove(id);
          }
        }
      }
      peer.flush();
      return collect(peer, expected, where);
    }
  }

  /** Reads answers until every expected call has one; -1 when the connection was closed first. */
  private static int collect(RawRpcPeer peer, Set<Long> expected, String where) throws IOException {
    int n = 0;
    List<String> internal = new ArrayList<>();
    try {
      while (!expected.isEmpty()) {
        RawRpcPeer.Received r = peer.read();
        if (r.header().getKind() != FrameKind.RESPONSE) {
          fail("a " + r.header().getKind() + " frame for a request at " + where);
        }
        expected.remove(r.header().getCallId());
        n++;
        if (r.header().getStatus() == Status.INTERNAL) {
          internal.add("method " + r.header().getMethod() + ": " + r.header().getError());
        }
      }
    } catch (EOFException | SocketException e) {
      return -1;
    } catch (SocketTimeoutException e) {
      fail("no answer to calls " + expected + " within 10 s at " + where);
    }
    assertEquals(List.of(), internal, "INTERNAL answers at " + where);
    return n;
  }

  private static byte[] randomBytes(SplittableRandom random, int max) {
    byte[] b = new byte[random.nextInt(max)];
    random.nextBytes(b);
    return b;
  }

  /** A request body: random protobuf fields, plain random bytes, or either cut short or bit-flipped. */
  private static byte[] body(SplittableRandom random) throws IOException {
    byte[] b = random.nextInt(6) == 0 ? randomBytes(random, 64) : message(random, 2);
    if (b.length > 0 && random.nextInt(5) == 0) {
      b = Arrays.copyOf(b, random.nextInt(b.length));
    }
    if (b.length > 0 && random.nextInt(5) == 0) {
      b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
    }
    return b;
  }

  /** Up to six random fields among 1..8 of random wire types: paths, integers, nested messages, junk. */
  private static byte[] message(SplittableRandom random, int depth) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    for (int f = random.nextInt(7); f > 0; f--) {
      int field = 1 + random.nextInt(8);
      switch (random.nextInt(6)) {
        case 0 -> out.writeInt64(field, List.of(0L, 1L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 20)
            .get(random.nextInt(6)));
        case 1 -> out.writeUInt64(field, random.nextLong());
        case 2 -> out.writeFixed64(field, random.nextLong());
        case 3 -> out.writeByteArray(field, PATHS.get(random.nextInt(PATHS.size())).getBytes(StandardCharsets.UTF_8));
        case 4 -> out.writeByteArray(field, depth > 0 ? message(random, depth - 1) : randomBytes(random, 16));
        default -> out.writeByteArray(field, new byte[] {'/', (byte) 0xc3, (byte) 0x28});
      }
    }
    out.flush();
    return bytes.toByteArray();
  }
}
