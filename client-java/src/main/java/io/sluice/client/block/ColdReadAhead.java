package io.sluice.client.block;

import io.sluice.common.proto.BlockInfo;
import io.sluice.common.proto.BlockLocation;
import io.sluice.common.proto.OpenLocalBlockRequest;
import io.sluice.common.proto.OpenLocalBlockResponse;
import io.sluice.common.proto.WorkerMethod;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read-ahead for a sequential reader of an uncached UFS-backed file on a worker's host: when it starts a block, the
 * next block's read-through is started too (an OPEN_LOCAL_BLOCK carrying its UFS source, whose lease is closed as
 * soon as it comes), so the worker loads block i+1 while block i is read, and the reader finds it cached or joins
 * its load. Nothing waits for it and nothing fails because of it: it only starts work the reader would start a
 * moment later anyway. On a connection not yet proven for short-circuit ({@link ShortCircuitProof}) the caller runs
 * the proof first, as its own first read on that connection would.
 */
public final class ColdReadAhead {
  private static final Logger LOG = LoggerFactory.getLogger(ColdReadAhead.class);

  private ColdReadAhead() {}

  /** Starts loading {@code next} on its read-through worker when that is on this host and the block is uncached. */
  public static void start(WorkerClientPool pool, BlockInfo next, ReadOptions options) {
    if (!options.shortCircuit() || next.getCached() || !next.hasUfs() || next.getLocationsCount() == 0) {
      return;
    }
    BlockLocation loc = next.getLocations(0);
    if (!ShortCircuit.isLocal(loc.getAddress())) {
      return;
    }
    RpcClient worker;
    try {
      worker = pool.get(loc.getAddress());
    } catch (RpcException e) {
      return;  // the reader will find out, and say so
    }
    if (ShortCircuit.refused(worker) || !ShortCircuitProof.proven(worker)) {
      return;
    }
    OpenLocalBlockRequest req = OpenLocalBlockRequest.newBuilder().setBlockId(next.getBlockId())
        .setUfs(next.getUfs()).setReadAhead(true).build();
    worker.call(WorkerMethod.OPEN_LOCAL_BLOCK_VALUE, req).whenComplete((frame, failure) -> {
      if (frame == null) {
        LOG.debug("read-ahead of block {}: {}", next.getBlockId(), failure.toString());
        return;
      }
      try {
        LocalReadStream.closeLease(worker, frame.parseBody(OpenLocalBlockResponse.parser()).getLeaseId());
      } catch (RpcException | RuntimeException e) {
        LOG.debug("read-ahead of block {}: {}", next.getBlockId(), e.toString());
      } finally {
        frame.release();
      }
    });
  }
}
