package io.sluice.worker.data;

import io.sluice.common.proto.CloseLocalBlockRequest;
import io.sluice.common.proto.OpenLocalBlockRequest;
import io.sluice.common.proto.ReadBlockRequest;
import io.sluice.common.proto.ReportCorruptBlockRequest;
import io.sluice.common.proto.ReportCorruptBlockResponse;
import io.sluice.common.proto.ShortCircuitProofRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.UfsBlockSource;
import io.sluice.common.proto.WaitLocalBlockRequest;
import io.sluice.common.proto.WorkerMethod;
import io.sluice.common.proto.WriteBlockRequest;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcHandler;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.rpc.ServerCall;
import io.sluice.worker.block.BlockStore;
import io.sluice.worker.block.CommitReporter;
import io.sluice.worker.block.ReadLease;
import io.sluice.worker.block.TempBlock;
import io.sluice.worker.ufs.BlockLoad;
import io.sluice.worker.ufs.ReadThrough;
import io.sluice.worker.ufs.ReadThroughStats;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's data service: opens a read or write stream per call, or verifies a short-circuit client and grants
 * and ends its leases ({@link ShortCircuitLeases}). Everything runs on the event loop; a read of a block this worker
 * does not hold, with a UFS source, goes through {@link ReadThrough}, whose UFS work runs on its own threads.
 *
 * <p>A READ_BLOCK is served from the store whenever the block is held, whatever the request's {@code ufs} says (a
 * {@link BlockReadStream}, zero copy; a cache hit). Otherwise, with {@code ufs} set (a cache miss), the reader
 * joins the block's load, starting it if none runs ({@link LoadReadStream}); with {@code no_cache} and no load
 * running, with no room in the store, or when the running load reads another source (older or newer metadata), it
 * reads the UFS without caching ({@link UfsDirectStream}).
 *
 * <p>A WRITE_BLOCK is written here ({@link BlockWriteStream}) and, when its pipeline names more workers, forwarded
 * to the next one ({@link PipelineForwarder}).
 */
public final class DataHandler implements RpcHandler {
  private static final Logger LOG = LoggerFactory.getLogger(DataHandler.class);
  /** Times a read looks again after the block was committed between its miss and its join; then it gives up. */
  private static final int MAX_LOOKUPS = 3;

  private final BlockStore store;
  private final int readChunk;
  private final CommitReporter reporter;
  private final DataTraffic traffic;
  private final ReadThrough readThrough;
  private final ReadThroughStats stats;
  private final ShortCircuitLeases shortCircuit;
  private final TransferMode transfer;
  private final RpcOptions peers;

  /**
   * @param traffic counts the block bytes this handler's streams send and receive
   * @param readThrough reads blocks this worker does not hold from their UFS
   * @param stats counts cache hits and misses
   * @param shortCircuit answers SHORT_CIRCUIT_CHALLENGE, SHORT_CIRCUIT_PROOF, OPEN_LOCAL_BLOCK and CLOSE_LOCAL_BLOCK
   * @param transfer how cached blocks are sent
   * @param peers how a write is forwarded to the next worker of its pipeline: the data server's own options (the
   *     connection shares the server's event loops, so it must be of the same transport)
   */
  public DataHandler(BlockStore store, int readChunk, CommitReporter reporter, DataTraffic traffic,
      ReadThrough readThrough, ReadThroughStats stats, ShortCircuitLeases shortCircuit, TransferMode transfer,
      RpcOptions peers) {
    this.transfer = transfer;
    this.peers = peers;
    this.store = store;
    this.readChunk = readChunk;
    this.reporter = reporter;
    this.traffic = traffic;
    this.readThrough = readThrough;
    this.stats = stats;
    this.shortCircuit = shortCircuit;
  }

  @Override
  public void handle(ServerCall call) {
    try {
      WorkerMethod m = WorkerMethod.forNumber(call.method());
      if (m == WorkerMethod.READ_BLOCK) {
        read(call, call.parse(ReadBlockRequest.parser()));
      } else if (m == WorkerMethod.WRITE_BLOCK) {
        write(call, call.parse(WriteBlockRequest.parser()));
      } else if (m == WorkerMethod.OPEN_LOCAL_BLOCK) {
        shortCircuit.open(call, call.parse(OpenLocalBlockRequest.parser()), readThrough);
      } else if (m == WorkerMethod.WAIT_LOCAL_BLOCK) {
        shortCircuit.await(call, call.parse(WaitLocalBlockRequest.parser()));
      } else if (m == WorkerMethod.CLOSE_LOCAL_BLOCK) {
        shortCircuit.close(call, call.parse(CloseLocalBlockRequest.parser()));
      } else if (m == WorkerMethod.SHORT_CIRCUIT_CHALLENGE) {
        shortCircuit.challenge(call);
      } else if (m == WorkerMethod.SHORT_CIRCUIT_PROOF) {
        shortCircuit.prove(call, call.parse(ShortCircuitProofRequest.parser()));
      } else if (m == WorkerMethod.REPORT_CORRUPT_BLOCK) {
        checkCorrupt(call, call.parse(ReportCorruptBlockRequest.parser()));
      } else {
        throw new RpcException(Status.INVALID_ARGUMENT, "unsupported worker method " + call.method());
      }
    } catch (RpcException e) {
      call.fail(e);
    }
  }

  private void read(ServerCall call, ReadBlockRequest req) throws RpcException {
    for (int lookup = 1; ; lookup++) {
      ReadLease lease;
      try {
        lease = store.openRead(req.getBlockId());
      } catch (RpcException e) {
        if (e.status() != Status.NOT_FOUND || !req.hasUfs()) {
          throw e;
        }
        if (readThrough(call, req)) {
          return;
        }
        if (lookup == MAX_LOOKUPS) {
          throw new RpcException(Status.UNAVAILABLE, "block " + req.getBlockId() + " keeps appearing and vanishing");
        }
        continue;
      }
      long end;
      int[] sums;
      try {
        end = end(req, lease.length());
        sums = lease.checksums();
      } catch (RpcException e) {
        lease.close();
        throw e;
      }
      stats.hit();
      new BlockReadStream(call, lease, sums, req.getOffset(), end, chunk(req), traffic, transfer).start();
      return;
    }
  }

  /** Serves a miss; false when the block was committed meanwhile (look in the store again). */
  private boolean readThrough(ServerCall call, ReadBlockRequest req) throws RpcException {
    UfsBlockSource src = req.getUfs();
    long end = end(req, src.getLength());
    LoadReadStream follower = new LoadReadStream(call, req.getOffset(), end, chunk(req), traffic, transfer);
    BlockLoad load;
    try {
      load = readThrough.join(req.getBlockId(), src, req.getNoCache(), follower.waker());
    } catch (RpcException e) {
      if (e.status() == Status.ALREADY_EXISTS) {
        return false;
      }
      throw e;
    }
    stats.miss();
    if (load != null) {
      follower.start(load);
    } else {
      new UfsDirectStream(call, src, req.getOffset(), end, chunk(req), traffic, readThrough.executor(),
          readThrough.reader()).start();
    }
    return true;
  }

  /** The end of the requested range in a block of {@code length} bytes. */
  private static long end(ReadBlockRequest req, long length) throws RpcException {
    long offset = req.getOffset();
    long end = req.getLength() < 0 ? length : offset + req.getLength();
    if (offset < 0 || offset > length || end < offset || end > length) {
      throw new RpcException(Status.INVALID_ARGUMENT, "block " + req.getBlockId() + ": range [" + offset + ", "
          + end + ") outside its " + length + " bytes");
    }
    return end;
  }

  private int chunk(ReadBlockRequest req) {
    return req.getChunkSize() > 0 ? Math.min(req.getChunkSize(), readChunk) : readChunk;
  }

  /** Checks the reported block off the event loop (it reads the whole file) and answers with the outcome. */
  private void checkCorrupt(ServerCall call, ReportCorruptBlockRequest req) {
    LOG.info("{} reports block {} corrupt at offset {}; checking it", call.remoteAddress(), req.getBlockId(),
        req.getOffset());
    try {
      readThrough.executor().execute(() -> {
        try {
          boolean corrupt = store.removeIfCorrupt(req.getBlockId());
          call.respond(ReportCorruptBlockResponse.newBuilder().setCorrupt(corrupt).build());
        } catch (RpcException e) {
          call.fail(e);
        }
      });
    } catch (RejectedExecutionException e) {
      call.fail(Status.UNAVAILABLE, "worker stopping");
    }
  }

  private void write(ServerCall call, WriteBlockRequest req) throws RpcException {
    if (req.getMaxLength() <= 0) {
      throw new RpcException(Status.INVALID_ARGUMENT, "block " + req.getBlockId() + ": max_length must be positive");
    }
    TempBlock block = store.create(req.getBlockId(), req.getMaxLength());
    PipelineForwarder downstream = req.getPipelineCount() > 1 ? PipelineForwarder.start(call, req, peers) : null;
    long self = req.getPipelineCount() > 0 ? req.getPipeline(0).getWorkerId() : -1;
    call.setStreamListener(new BlockWriteStream(call, block, downstream, self, reporter, traffic, req.getPin()));
  }
}
