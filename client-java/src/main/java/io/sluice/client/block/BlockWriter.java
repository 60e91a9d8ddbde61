package io.sluice.client.block;

import io.netty.buffer.ByteBuf;
import io.sluice.common.checksum.ChunkChecksums;
import io.sluice.common.proto.BlockInfo;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerMethod;
import io.sluice.common.proto.WriteBlockRequest;
import io.sluice.common.proto.WriteBlockResponse;
import io.sluice.common.rpc.ClientStream;
import io.sluice.common.rpc.Frame;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one new block through a WRITE_BLOCK stream to the first worker of its pipeline (which forwards to the
 * others): pieces go out in order from offset 0, each with the CRC32C of each of its checksum chunks (so
 * every piece but the block's last holds whole chunks); {@link #finish()} ends the stream and waits for the worker
 * to commit. A worker error fails the next {@link #write} or {@link #finish}: an error of the first worker fails the
 * block (its message names the block and the worker), while the first worker drops a failed downstream member and
 * answers with fewer replicas ({@link #committedWorkers()}, a WARN here). The writer does not keep the block's
 * bytes to send them again elsewhere: a block is up to the block size, too much to hold per open file. Not
 * thread-safe. Either {@link #finish()} or {@link #abort()} must end every writer, so the call's response frame is
 * released.
 */
public final class BlockWriter {
  private static final Logger LOG = LoggerFactory.getLogger(BlockWriter.class);

  private final ClientStream stream;
  private final long blockId;
  private final long maxLength;
  private final Duration timeout;
  private final String what;
  private long written;
  /** Whether {@link #finish()} took (and released) the response frame. */
  private boolean responseTaken;
  /** Workers the block was placed on: the replicas asked for (or all the live workers there were). */
  private final int pipelineSize;
  private List<Long> committedWorkers = List.of();

  private BlockWriter(ClientStream stream, long blockId, long maxLength, Duration timeout, String what,
      int pipelineSize) {
    this.pipelineSize = pipelineSize;
    this.stream = stream;
    this.blockId = blockId;
    this.maxLength = maxLength;
    this.timeout = timeout;
    this.what = what;
  }

  /**
   * Connects to the block's first location and opens the write stream.
   *
   * @param maxLength the file's block size: the worker refuses more
   * @param path the file, for error messages
   * @param pin have every pipeline member pin the block at commit: the block of a Sluice-native file, whose only
   *     copy the workers hold, must never be evictable (a full worker then fails the write with NO_SPACE)
   * @throws RpcException UNAVAILABLE when the first location cannot be reached (nothing was sent: the caller may
   *     ask the master for another placement)
   */
  public static BlockWriter open(WorkerClientPool pool, BlockInfo block, long maxLength, String path, boolean pin)
      throws RpcException {
    RpcClient client = pool.get(block.getLocations(0).getAddress());
    WriteBlockRequest req = WriteBlockRequest.newBuilder().setBlockId(block.getBlockId()).setMaxLength(maxLength)
        .addAllPipeline(block.getLocationsList()).setPin(pin).build();
    // The worker sends no data on a write stream; a stray frame is released.
    ClientStream stream = client.openStream(WorkerMethod.WRITE_BLOCK.getNumber(), req, 0, Frame::release);
    String what = path + ": block " + block.getBlockId() + " on "
        + WorkerClientPool.describe(block.getLocations(0).getAddress());
    return new BlockWriter(stream, block.getBlockId(), maxLength, pool.options().callTimeout(), what,
        block.getLocationsCount());
  }

  /**
   * The ids of the pipeline's workers that committed the block, the first worker's first; set by a successful
   * {@link #finish()}, empty before. Fewer than the pipeline's members means some were dropped on the way (each
   * logged by the worker that dropped it); the block is readable from those listed.
   */
  public List<Long> committedWorkers() {
    return committedWorkers;
  }

  public long blockId() {
    return blockId;
  }

  /** Bytes handed to the stream so far. */
  public long written() {
    return written;
  }

  /**
   * Sends {@code chunk}'s readable bytes as the next frame, taking ownership of it (it is released even when
   * this throws). Blocks while the connection is not writable, at most the call timeout.
   */
  public void write(ByteBuf chunk) throws RpcException {
    int n = chunk.readableBytes();
    if (written + n > maxLength) {
      chunk.release();
      throw new IllegalStateException(what + ": " + (written + n) + " bytes exceed the block size " + maxLength);
    }
    if (written % ChunkChecksums.CHUNK != 0) {
      chunk.release();
      throw new IllegalStateException(what + ": data after a piece that ended inside a checksum chunk, at "
          + written);
    }
    send(written, ChunkChecksums.list(chunk.nioBuffer()), chunk);
    written += n;
  }

  private void send(long offset, List<Integer> sums, ByteBuf chunk) throws RpcException {
    try {
      stream.sendData(offset, sums, chunk);
    } catch (RpcException e) {
      throw naming(e);
    }
  }

  /**
   * Ends the stream and waits (at most the call timeout) for the worker to commit the block.
   *
   * @return the committed length, which equals {@link #written()}
   * @throws RpcException the worker's error, IO_ERROR when it committed another length, UNAVAILABLE on timeout
   */
  public long finish() throws RpcException {
    stream.end();
    Frame response;
    try {
      response = stream.response().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      abort();
      throw new RpcException(Status.UNAVAILABLE, what + ": no commit within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abort();
      throw new RpcException(Status.UNAVAILABLE, what + ": interrupted while waiting for the commit", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RpcException re ? naming(re)
          : new RpcException(Status.INTERNAL, what + ": " + e.getCause(), e.getCause());
    }
    responseTaken = true;
    WriteBlockResponse done;
    try {
      done = response.parseBody(WriteBlockResponse.parser());
    } finally {
      response.release();
    }
    long committed = done.getLength();
    if (committed != written) {
      throw new RpcException(Status.IO_ERROR, what + ": the worker committed " + committed + " bytes of "
          + written + " sent");
    }
    committedWorkers = done.getCommittedWorkerIdsList();
    if (committedWorkers.size() < pipelineSize) {
      // Not an error: the survivors hold the whole block, and readers fail over between them.
      LOG.warn("{}: committed on {} of {} workers of its pipeline (workers {})", what, committedWorkers.size(),
          pipelineSize, committedWorkers);
    }
    return committed;
  }

  /** Gives up on the block: the worker discards it. Idempotent; safe after {@link #finish()} failed. */
  public void abort() {
    stream.cancel();
    if (!responseTaken) {
      // A response that won the race with the cancel is still ours to release.
      responseTaken = true;
      stream.response().thenAccept(Frame::release);
    }
  }

  private RpcException naming(RpcException e) {
    String msg = String.valueOf(e.getMessage());
    if (e.status() == Status.NO_SPACE && !msg.startsWith(what)) {
      // Said plainly: the worker is full of blocks it must keep, and evicting them would lose data.
      return new RpcException(Status.NO_SPACE, what + ": no space left on the worker (its cache holds only "
          + "blocks it must keep): " + msg, e);
    }
    return msg.contains(what) ? e : new RpcException(e.status(), what + ": " + msg, e);
  }
}
