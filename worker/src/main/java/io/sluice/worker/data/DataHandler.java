package io.sluice.worker.data;

import io.sluice.common.proto.ReadBlockRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerMethod;
import io.sluice.common.proto.WriteBlockRequest;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcHandler;
import io.sluice.common.rpc.ServerCall;
import io.sluice.worker.block.BlockStore;
import io.sluice.worker.block.CommitReporter;
import io.sluice.worker.block.ReadLease;
import io.sluice.worker.block.TempBlock;

/** The worker's data service: opens a read or write stream per call. Everything runs on the event loop. */
public final class DataHandler implements RpcHandler {
  private final BlockStore store;
  private final int readChunk;
  private final CommitReporter reporter;
  private final DataTraffic traffic;

  /** @param traffic counts the block bytes this handler's streams send and receive */
  public DataHandler(BlockStore store, int readChunk, CommitReporter reporter, DataTraffic traffic) {
    this.store = store;
    this.readChunk = readChunk;
    this.reporter = reporter;
    this.traffic = traffic;
  }

  @Override
  public void handle(ServerCall call) {
    try {
      WorkerMethod m = WorkerMethod.forNumber(call.method());
      if (m == WorkerMethod.READ_BLOCK) {
        read(call, call.parse(ReadBlockRequest.parser()));
      } else if (m == WorkerMethod.WRITE_BLOCK) {
        write(call, call.parse(WriteBlockRequest.parser()));
      } else {
        throw new RpcException(Status.INVALID_ARGUMENT, "unsupported worker method " + call.method());
      }
    } catch (RpcException e) {
      call.fail(e);
    }
  }

  private void read(ServerCall call, ReadBlockRequest req) throws RpcException {
    ReadLease lease = store.openRead(req.getBlockId());
    long length = lease.length();
    long offset = req.getOffset();
    long end = req.getLength() < 0 ? length : offset + req.getLength();
    if (offset < 0 || offset > length || end < offset || end > length) {
      lease.close();
      throw new RpcException(Status.INVALID_ARGUMENT, "block " + req.getBlockId() + ": range [" + offset + ", "
          + end + ") outside its " + length + " bytes");
    }
    int chunk = req.getChunkSize() > 0 ? Math.min(req.getChunkSize(), readChunk) : readChunk;
    new BlockReadStream(call, lease, offset, end, chunk, traffic).start();
  }

  private void write(ServerCall call, WriteBlockRequest req) throws RpcException {
    if (req.getMaxLength() <= 0) {
      throw new RpcException(Status.INVALID_ARGUMENT, "block " + req.getBlockId() + ": max_length must be positive");
    }
    TempBlock block = store.create(req.getBlockId(), req.getMaxLength());
    call.setStreamListener(new BlockWriteStream(call, block, reporter, traffic));
  }
}
