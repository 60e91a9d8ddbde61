package io.sluice.client.testing;

import io.netty.buffer.ByteBuf;
import io.sluice.common.checksum.ChunkChecksums;
import io.sluice.common.proto.ReadBlockRequest;
import io.sluice.common.proto.ReadBlockResponse;
import io.sluice.common.proto.ReportCorruptBlockRequest;
import io.sluice.common.proto.ReportCorruptBlockResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerMethod;
import io.sluice.common.proto.WriteBlockRequest;
import io.sluice.common.proto.WriteBlockResponse;
import io.sluice.common.rpc.Frame;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcHandler;
import io.sluice.common.rpc.ServerCall;
import io.sluice.common.rpc.StreamListener;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

/**
 * An in-memory worker for client tests. WRITE_BLOCK checks that frames arrive in order from offset 0 with correct
 * chunk CRC32Cs and within max_length, and stores the block on STREAM_END. READ_BLOCK serves a stored block as the
 * real worker does: frames of whole checksum chunks (the requested chunk size rounded up) from the chunk holding the
 * range's first byte, each with its chunk CRC32Cs, one per credit, then responds; it records the credit accounting
 * so tests can check the client's read window. REPORT_CORRUPT_BLOCK is recorded and answered "kept". Fault switches
 * make it corrupt, stall or fail.
 */
public final class FakeWorker implements RpcHandler {
  private static final int CHUNK = ChunkChecksums.CHUNK;
  private final Map<Long, byte[]> blocks = new ConcurrentHashMap<>();

  /** When set, served frames carry wrong chunk CRC32Cs. */
  public volatile boolean corruptReads;
  /** When set, read streams never send data (the client must time out). */
  public volatile boolean stallReads;
  /**
   * When set, READ_BLOCK of a block whose UFS source has this fingerprint answers STALE, as a worker does when the
   * UFS file changed since the master listed it.
   */
  public volatile String staleFingerprint;
  /** When >= 0, a write stream fails with IO_ERROR once it received more than this many bytes. */
  public volatile long failWritesAfter = -1;

  /** Every REPORT_CORRUPT_BLOCK received, in order. */
  public final List<ReportCorruptBlockRequest> corruptReports = new CopyOnWriteArrayList<>();
  /** Every READ_BLOCK request received, in order. */
  public final List<ReadBlockRequest> readRequests = new CopyOnWriteArrayList<>();
  /** Read streams opened. */
  public final AtomicInteger readStreams = new AtomicInteger();
  /** Highest initial credits of any read stream. */
  public final AtomicInteger maxInitialCredits = new AtomicInteger();
  /** Highest credit balance any read stream ever held (credits granted but not yet used). */
  public final AtomicInteger maxCreditBalance = new AtomicInteger();
  /** Highest count of frames any read stream sent beyond the credits returned to it after its opening grant. */
  public final AtomicInteger maxUnreturned = new AtomicInteger();
  /** Data frames sent, one permit each: tests wait on it instead of sleeping. */
  public final Semaphore framesSent = new Semaphore(0);
  /** One permit per read stream the client cancelled or dropped. */
  public final Semaphore readsAborted = new Semaphore(0);

  /** The CRC32C of each checksum chunk of {@code b[off, off + len)}, each XORed with {@code flip}. */
  private static List<Integer> sums(byte[] b, int off, int len, int flip) {
    List<Integer> out = new ArrayList<>();
    CRC32C c = new CRC32C();
    for (int at = 0; at < len; at += CHUNK) {
      c.reset();
      c.update(b, off + at, Math.min(CHUNK, len - at));
      out.add((int) c.getValue() ^ flip);
    }
    return out;
  }

  public void put(long blockId, byte[] data) {
    blocks.put(blockId, data);
  }

  public byte[] get(long blockId) {
    return blocks.get(blockId);
  }

  public void drop(long blockId) {
    blocks.remove(blockId);
  }

  public int blockCount() {
    return blocks.size();
  }

  @Override
  public void handle(ServerCall call) {
    try {
      WorkerMethod m = WorkerMethod.forNumber(call.method());
      if (m == WorkerMethod.WRITE_BLOCK) {
        call.setStreamListener(new BlockSink(call, call.parse(WriteBlockRequest.parser())));
      } else if (m == WorkerMethod.READ_BLOCK) {
        startRead(call, call.parse(ReadBlockRequest.parser()));
      } else if (m == WorkerMethod.REPORT_CORRUPT_BLOCK) {
        corruptReports.add(call.parse(ReportCorruptBlockRequest.parser()));
        call.respond(ReportCorruptBlockResponse.newBuilder().setCorrupt(false).build());
      } else {
        throw new RpcException(Status.INVALID_ARGUMENT, "unknown method " + call.method());
      }
    } catch (RpcException e) {
      call.fail(e);
    }
  }

  private void startRead(ServerCall call, ReadBlockRequest r) throws RpcException {
    readRequests.add(r);
    if (r.hasUfs() && r.getUfs().getFingerprint().equals(staleFingerprint)) {
      throw new RpcException(Status.STALE, "block " + r.getBlockId() + ": " + r.getUfs().getUfsPath()
          + " changed in the UFS (fingerprint " + r.getUfs().getFingerprint() + " is gone)");
    }
    byte[] data = blocks.get(r.getBlockId());
    if (data == null) {
      throw new RpcException(Status.NOT_FOUND, "block " + r.getBlockId() + " is not here");
    }
    long length = r.getLength() < 0 ? data.length - r.getOffset() : r.getLength();
    if (r.getOffset() < 0 || r.getOffset() + length > data.length || r.getChunkSize() <= 0) {
      throw new RpcException(Status.INVALID_ARGUMENT, "bad range " + r.getOffset() + "+" + length + " of block "
          + r.getBlockId() + " (" + data.length + " bytes), chunk " + r.getChunkSize());
    }
    readStreams.incrementAndGet();
    maxInitialCredits.accumulateAndGet(call.header().getCredits(), Math::max);
    int offset = (int) r.getOffset();
    int end = (int) (offset + length);
    int frame = (r.getChunkSize() + CHUNK - 1) / CHUNK * CHUNK;
    BlockSource s = length == 0 ? new BlockSource(call, data, offset, offset, frame)
        : new BlockSource(call, data, offset / CHUNK * CHUNK, Math.min(data.length, (end + CHUNK - 1) / CHUNK * CHUNK),
            frame);
    call.setStreamListener(s);
    s.onCredit(call.header().getCredits());
  }

  /** Serves one read stream; every callback runs on the connection's event loop. */
  private final class BlockSource implements StreamListener {
    private final ServerCall call;
    private final byte[] data;
    private final int end;
    private final int chunk;
    private int at;
    private int credits;
    private int sent;
    private int returned = -1; // the opening grant is not a return

    BlockSource(ServerCall call, byte[] data, int offset, int end, int chunk) {
      this.call = call;
      this.data = data;
      this.at = offset;
      this.end = end;
      this.chunk = chunk;
    }

    @Override
    public void onData(Frame frame) {
      frame.release();
    }

    @Override
    public void onCredit(int n) {
      credits += n;
      returned += returned < 0 ? 1 : n;
      maxCreditBalance.accumulateAndGet(credits, Math::max);
      if (stallReads) {
        return;
      }
      while (credits > 0 && at < end && !call.isDone()) {
        int n2 = Math.min(chunk, end - at);
        ByteBuf buf = call.channel().alloc().buffer(n2).writeBytes(data, at, n2);
        call.sendData(at, sums(data, at, n2, corruptReads ? 1 : 0), buf, n2);
        at += n2;
        credits--;
        sent++;
        maxUnreturned.accumulateAndGet(sent - Math.max(returned, 0), Math::max);
        framesSent.release();
      }
      if (at == end) {
        call.respond(ReadBlockResponse.newBuilder().setBlockLength(data.length).build());
      }
    }

    @Override
    public void onAbort(RpcException cause) {
      readsAborted.release();
    }
  }

  /** Receives one write stream, checking every frame. */
  private final class BlockSink implements StreamListener {
    private final ServerCall call;
    private final WriteBlockRequest req;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BlockSink(ServerCall call, WriteBlockRequest req) {
      this.call = call;
      this.req = req;
    }

    @Override
    public void onData(Frame frame) {
      try {
        ByteBuf d = frame.data();
        int n = d.readableBytes();
        byte[] copy = new byte[n];
        d.getBytes(d.readerIndex(), copy);
        long limit = failWritesAfter;
        if (frame.header().getOffset() != bytes.size() || bytes.size() % CHUNK != 0) {
          call.fail(Status.INVALID_ARGUMENT, "frame at " + frame.header().getOffset() + ", expected " + bytes.size()
              + " on a chunk boundary");
        } else if (!sums(copy, 0, n, 0).equals(frame.header().getChunkCrcsList())) {
          call.fail(Status.IO_ERROR, "bad CRC32C at " + bytes.size());
        } else if (bytes.size() + n > req.getMaxLength()) {
          call.fail(Status.INVALID_ARGUMENT, "block " + req.getBlockId() + " exceeds " + req.getMaxLength());
        } else if (limit >= 0 && bytes.size() + n > limit) {
          call.fail(Status.IO_ERROR, "disk failed writing block " + req.getBlockId());
        } else {
          bytes.write(copy, 0, n);
        }
      } finally {
        frame.release();
      }
    }

    @Override
    public void onEnd() {
      if (!call.isDone()) {
        blocks.put(req.getBlockId(), bytes.toByteArray());
        call.respond(WriteBlockResponse.newBuilder().setLength(bytes.size()).build());
      }
    }
  }
}
