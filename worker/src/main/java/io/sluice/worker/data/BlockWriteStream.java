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
import java.util.List;

/**
 * Receives one WRITE_BLOCK call: each STREAM_DATA frame must continue the block at its current length, start on a
 * chunk boundary and match its chunk CRC32Cs (which become the block's stored checksums), and is appended to the
 * temp file as it arrives (on the event loop: while the disk is busy the socket is not read, so TCP holds the
 * client back). STREAM_END commits the block and answers once the master has heard of
 * it; any error or an aborted call discards it, so a block is either whole and verified or absent.
 */
final class BlockWriteStream implements StreamListener {
  private final ServerCall call;
  private final TempBlock block;
  private final CommitReporter reporter;
  private final DataTraffic traffic;

  BlockWriteStream(ServerCall call, TempBlock block, CommitReporter reporter, DataTraffic traffic) {
    this.call = call;
    this.block = block;
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
      block.append(frame.data(), sums);
      traffic.received(frame.data().readableBytes());
    } catch (RpcException e) {
      block.abort();
      call.fail(e);
    } finally {
      frame.release();
    }
  }

  @Override
  public void onEnd() {
    try {
      block.commit();
      WriteBlockResponse done = WriteBlockResponse.newBuilder().setLength(block.length()).build();
      reporter.reportCommitted(block.blockId()).whenComplete((v, e) -> call.respond(done));
    } catch (RpcException e) {
      call.fail(e);
    }
  }

  @Override
  public void onAbort(RpcException cause) {
    block.abort();
  }
}
