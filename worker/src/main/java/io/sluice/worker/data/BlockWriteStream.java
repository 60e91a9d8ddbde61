package io.sluice.worker.data;

import io.sluice.common.checksum.ChunkChecksums;
import io.sluice.common.proto.FrameHeader;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WriteBlockResponse;
import io.sluice.common.rpc.Frame;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.ServerCall;
import io.sluice.common.rpc.StreamListener;
import io.sluice.worker.block.CommitReporter;
import io.sluice.worker.block.TempBlock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Receives one WRITE_BLOCK call: each STREAM_DATA frame must continue the block at its current length, start on a
 * chunk boundary and match its chunk CRC32Cs (which become the block's stored checksums), and is appended to the
 * temp file as it arrives (on the event loop: while the disk is busy the socket is not read, so TCP holds the
 * client back). STREAM_END commits the block and answers once the master has heard of
 * it; any error or an aborted call discards it, so a block is either whole and verified or absent.
 *
 * <p>With a downstream pipeline, each verified frame also goes to the next worker through a
 * {@link PipelineForwarder}, and the answer waits for the downstream's and lists every member that committed. The
 * downstream's failure is not this write's; this write's failure (a bad frame, the disk, the upstream gone) aborts
 * the downstream too.
 */
final class BlockWriteStream implements StreamListener {
  private final ServerCall call;
  private final TempBlock block;
  private final PipelineForwarder downstream;
  private final List<Long> self;
  private final CommitReporter reporter;
  private final DataTraffic traffic;
  private final boolean pin;

  /**
   * @param downstream forwards to the rest of the pipeline, or null when this worker is its last member
   * @param selfId this worker's id as the pipeline names it, or -1 when the request named no pipeline
   * @param pin pin the block at commit (WriteBlockRequest.pin: a Sluice-native file's)
   */
  BlockWriteStream(ServerCall call, TempBlock block, PipelineForwarder downstream, long selfId,
      CommitReporter reporter, DataTraffic traffic, boolean pin) {
    this.pin = pin;
    this.call = call;
    this.block = block;
    this.downstream = downstream;
    this.self = selfId < 0 ? List.of() : List.of(selfId);
    this.reporter = reporter;
    this.traffic = traffic;
  }

  @Override
  public void onData(Frame frame) {
    try {
      FrameHeader h = frame.header();
      if (h.getOffset() != block.length()) {
        throw new RpcException(Status.INVALID_ARGUMENT, "block " + block.blockId() + ": data at offset "
            + h.getOffset() + " but " + block.length() + " bytes written");
      }
      List<Integer> sums = h.getChunkCrcsList();
      long bad = ChunkChecksums.firstMismatch(sums, frame.data().nioBuffers());
      if (bad >= 0) {
        throw new RpcException(sums.isEmpty() ? Status.INVALID_ARGUMENT : Status.IO_ERROR, "block "
            + block.blockId() + ": " + (sums.isEmpty() ? "data without checksums" : "checksum mismatch in the "
            + "chunk at offset " + (h.getOffset() + bad) + " (" + sums.size() + " sums for "
            + frame.data().readableBytes() + " bytes)"));
      }
      // Verified, so it may go on; first, so the next worker works while this one writes to its disk.
      if (downstream != null) {
        downstream.forward(frame);
      }
      block.append(frame.data(), sums);
      traffic.received(frame.data().readableBytes());
    } catch (RpcException e) {
      abort();
      call.fail(e);
    } finally {
      frame.release();
    }
  }

  @Override
  public void onEnd() {
    try {
      if (pin) {
        block.commitPinned();
      } else {
        block.commit();
      }
    } catch (RpcException e) {
      if (downstream != null) {
        downstream.abort();
      }
      call.fail(e);
      return;
    }
    long length = block.length();
    CompletableFuture<List<Long>> others = downstream == null ? CompletableFuture.completedFuture(List.of())
        : downstream.finish(length);
    CompletableFuture<Void> reported = reporter.reportCommitted(block.blockId()).handle((v, e) -> null);
    reported.thenCombine(others, (v, ids) -> ids).thenAccept(ids -> {
      List<Long> all = new ArrayList<>(self);
      all.addAll(ids);
      call.respond(WriteBlockResponse.newBuilder().setLength(length).addAllCommittedWorkerIds(all).build());
    });
  }

  @Override
  public void onAbort(RpcException cause) {
    abort();
  }

  private void abort() {
    block.abort();
    if (downstream != null) {
      downstream.abort();
    }
  }
}
