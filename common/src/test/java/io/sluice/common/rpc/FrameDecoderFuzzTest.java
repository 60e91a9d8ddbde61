package io.sluice.common.rpc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.sluice.common.proto.FrameHeader;
import io.sluice.common.proto.FrameKind;
import io.sluice.common.proto.GetStatusRequest;
import io.sluice.common.proto.GetStatusResponse;
import io.sluice.common.proto.Status;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Feeds the server pipeline (decoder, encoder, dispatcher) random bytes and mutated valid frames on an
 * {@link EmbeddedChannel}: bit flips, truncations, length fields set huge, negative or small, body lengths beyond
 * the frame, unknown kinds, stream frames for calls that do not exist, cancel storms. Whatever comes in, nothing
 * may escape the pipeline as an exception, a rejected frame must close the connection, no buffer may be allocated
 * larger than the frame limit, an open connection may hold no more than one frame's bytes (plus the read that
 * brought them), and no buffer may leak (paranoid leak detection, see LeakGuardExtension).
 *
 * <p>Deterministic per seed: the seed is printed and named in every failure. Run longer or replay with
 * {@code -Dsluice.fuzz.iterations=200000 -Dsluice.fuzz.seed=...}.
 */
class FrameDecoderFuzzTest {
  private static final int MAX_FRAME = 64 * 1024;
  private static final int STAT = 1;
  private static final int STREAM = 2;
  /** The largest piece the input is fed in, as one socket read would bring it. */
  private static final int MAX_READ = 8192;
  private static final FrameKind[] KINDS = {FrameKind.REQUEST, FrameKind.ONE_WAY, FrameKind.STREAM_DATA,
      FrameKind.STREAM_END, FrameKind.CREDIT, FrameKind.CANCEL};
  /** Kinds a client never sends: each closes the connection, so they are drawn rarely to let the rest go deep. */
  private static final FrameKind[] CLOSING_KINDS = {FrameKind.RESPONSE, FrameKind.HANDSHAKE};

  /** Records the largest buffer anyone asked for. */
  private static final class TrackingAllocator extends AbstractByteBufAllocator {
    int largest;

    TrackingAllocator() {
      super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
      largest = Math.max(largest, initialCapacity);
      return UnpooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
      largest = Math.max(largest, initialCapacity);
      return UnpooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
      return false;
    }
  }

  /** Answers STAT, keeps STREAM calls open with a listener that consumes what arrives, ignores the rest. */
  private static final RpcHandler HANDLER = call -> {
    switch (call.method()) {
      case STAT -> {
        try {
          call.respond(GetStatusResponse.newBuilder().setInfo(io.sluice.common.proto.FileInfo.newBuilder()
              .setName(call.parse(GetStatusRequest.parser()).getPath())).build());
        } catch (RpcException e) {
          call.fail(e);
        }
      }
      case STREAM -> call.setStreamListener(new StreamListener() {
        @Override
        public void onData(Frame frame) {
          frame.release();
        }

        @Override
        public void onEnd() {
          call.respond(GetStatusResponse.getDefaultInstance());
        }
      });
      default -> call.fail(Status.INVALID_ARGUMENT, "unknown method " + call.method());
    }
  };

  @Test
  void hostileBytesNeverEscapeThePipelineNorAllocatePastTheLimit() {
    long seed = Long.getLong("sluice.fuzz.seed", System.nanoTime());
    int iterations = Integer.getInteger("sluice.fuzz.iterations", 3000);
    System.out.println("FrameDecoderFuzzTest seed " + seed + ", " + iterations + " iterations");
    SplittableRandom random = new SplittableRandom(seed);
    int rejected = 0;
    for (int i = 0; i < iterations; i++) {
      String where = "seed " + seed + ", iteration " + i + " (replay with -Dsluice.fuzz.seed=" + seed + ")";
      byte[] input = random.nextInt(4) == 0 ? randomBytes(random) : mutate(random, validFrames(random));
      if (feed(random, input, where)) {
        rejected++;
      }
    }
    System.out.println("FrameDecoderFuzzTest: " + rejected + " of " + iterations + " inputs closed the connection");
  }

  /** Feeds {@code input} in random pieces; returns whether the connection was closed. */
  private static boolean feed(SplittableRandom random, byte[] input, String where) {
    AtomicInteger rejections = new AtomicInteger();
    RpcServerObserver observer = new RpcServerObserver() {
      @Override
      public void frameRejected() {
        rejections.incrementAndGet();
      }
    };
    TrackingAllocator alloc = new TrackingAllocator();
    boolean closed;
    long retained = 0;
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.config().setAllocator(alloc);
    ch.pipeline().addLast(new FrameDecoder(MAX_FRAME), FrameEncoder.INSTANCE,
        new ServerDispatcher(HANDLER, "fuzz", observer, 16));
    java.util.List<ByteBuf> pieces = new java.util.ArrayList<>();
    try {
      int at = 0;
      while (at < input.length && ch.isOpen()) {
        int n = Math.min(input.length - at, 1 + random.nextInt(random.nextBoolean() ? 16 : MAX_READ));
        ByteBuf piece = Unpooled.wrappedBuffer(input, at, n);
        pieces.add(piece);
        ch.writeInbound(piece);
        at += n;
        ch.runPendingTasks();
        releaseOutbound(ch);
      }
      ch.checkException();
      closed = !ch.isOpen();
      for (ByteBuf p : pieces) {
        retained += p.refCnt() > 0 ? p.capacity() : 0;
      }
    } catch (Throwable t) {
      throw new AssertionError("an exception escaped the pipeline at " + where, t);
    } finally {
      ch.finishAndReleaseAll();
    }
    if (rejections.get() > 0) {
      assertTrue(closed, "a rejected frame left the connection open at " + where);
    }
    assertTrue(alloc.largest <= MAX_FRAME, "allocated " + alloc.largest + " bytes at " + where);
    assertTrue(closed || retained <= 4 + MAX_FRAME + MAX_READ, "holds " + retained + " bytes at " + where);
    return closed;
  }

  private static void releaseOutbound(EmbeddedChannel ch) {
    for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
      ReferenceCountUtil.release(o);
    }
  }

  private static byte[] randomBytes(SplittableRandom random) {
    byte[] b = new byte[random.nextInt(random.nextBoolean() ? 64 : 3 * MAX_FRAME)];
    random.nextBytes(b);
    return b;
  }

  /** One to eight well-formed frames of random kinds, calls and methods, with bodies and data. */
  private static byte[] validFrames(SplittableRandom random) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    int frames = 1 + random.nextInt(8);
    try {
      for (int f = 0; f < frames; f++) {
        FrameKind kind = random.nextInt(3) == 0 ? FrameKind.REQUEST : random.nextInt(30) == 0
            ? CLOSING_KINDS[random.nextInt(CLOSING_KINDS.length)] : KINDS[random.nextInt(KINDS.length)];
        byte[] body = random.nextBoolean() ? GetStatusRequest.newBuilder().setPath("/f" + f).build().toByteArray()
            : randomBytes(random, 40);
        byte[] data = random.nextInt(4) == 0 ? randomBytes(random, 2000) : new byte[0];
        FrameHeader.Builder h = FrameHeader.newBuilder().setKind(kind).setCallId(random.nextInt(4))
            .setMethod(random.nextInt(4)).setCredits(random.nextInt(3) == 0 ? -1 : random.nextInt(8))
            .setBodyLength(body.length).setOffset(random.nextLong());
        if (random.nextInt(30) == 0) {
          h.setKindValue(8 + random.nextInt(100));  // a kind this version does not know
        }
        byte[] header = h.build().toByteArray();
        out.writeInt(4 + header.length + body.length + data.length);
        out.writeInt(header.length);
        out.write(header);
        out.write(body);
        out.write(data);
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return bytes.toByteArray();
  }

  private static byte[] randomBytes(SplittableRandom random, int max) {
    byte[] b = new byte[random.nextInt(max)];
    random.nextBytes(b);
    return b;
  }

  /** Zero to three mutations: bit flips, a truncation, a length or header length overwritten, a duplication. */
  private static byte[] mutate(SplittableRandom random, byte[] in) {
    byte[] b = in;
    int mutations = random.nextInt(4);
    for (int m = 0; m < mutations && b.length > 0; m++) {
      switch (random.nextInt(5)) {
        case 0 -> {
          for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
            b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
          }
        }
        case 1 -> b = java.util.Arrays.copyOf(b, random.nextInt(b.length));
        case 2 -> putInt(b, 0, pick(random));            // the frame length
        case 3 -> putInt(b, Math.min(4, b.length), pick(random));  // the header length
        default -> {
          byte[] twice = java.util.Arrays.copyOf(b, b.length * 2);  // a storm of the same frames
          System.arraycopy(b, 0, twice, b.length, b.length);
          b = twice;
        }
      }
    }
    return b;
  }

  private static int pick(SplittableRandom random) {
    int[] hostile = {0, 1, 3, 4, 5, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, MAX_FRAME, MAX_FRAME + 1,
        MAX_FRAME - 4};
    return random.nextBoolean() ? hostile[random.nextInt(hostile.length)] : random.nextInt();
  }

  private static void putInt(byte[] b, int at, int v) {
    for (int i = 0; i < 4 && at + i < b.length; i++) {
      b[at + i] = (byte) (v >>> (24 - 8 * i));
    }
  }
}
