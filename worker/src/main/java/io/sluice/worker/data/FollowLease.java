package io.sluice.worker.data;

import io.netty.channel.EventLoop;
import io.sluice.common.proto.OpenLocalBlockResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WaitLocalBlockRequest;
import io.sluice.common.proto.WaitLocalBlockResponse;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.ServerCall;
import io.sluice.worker.ufs.BlockLoad;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * A short-circuit lease on a block still being read through (OPEN_LOCAL_BLOCK with {@code follow}): the client on
 * this host reads the load's temp file as it fills, no further than the worker said, and checks each chunk against
 * the sums the load computed; WAIT_LOCAL_BLOCK asks for more. So a cold block's first bytes reach the reader as soon
 * as they are in the file, not after the whole block is (which cost a cold read the time of reading the block again
 * after its load).
 *
 * <p>The lease follows the load, holding a reference to its shared file: once the load commits, that reference keeps
 * the committed block leased (see {@code SharedBlockFile}), so the file the client opened is not evicted under it
 * until the lease ends. Threading: the connection's event loop, except the waker, which the load calls on its UFS
 * thread and which only queues a look at the load on the event loop.
 */
final class FollowLease implements HeldLease {
  private final EventLoop loop;
  private final Duration maxWait;
  private final LoopWaker waker;
  private BlockLoad load;
  /** The WAIT_LOCAL_BLOCK being answered, or null. */
  private ServerCall waiting;
  private long waitOffset;
  private int waitFirstChunk;
  private boolean closed;

  /**
   * @param maxWait how long a WAIT_LOCAL_BLOCK waits before it is answered with what the file holds then (the client
   *     waits again), well inside the client's call timeout however slow the UFS
   */
  FollowLease(EventLoop loop, Duration maxWait) {
    this.loop = loop;
    this.maxWait = maxWait;
    this.waker = new LoopWaker(loop, this::pump);
  }

  /** What the load calls on progress; the same instance throughout, so it can be unfollowed. */
  Runnable waker() {
    return waker;
  }

  /** Starts following {@code joined}, which holds a file reference for this lease. */
  void start(BlockLoad joined) {
    this.load = joined;
  }

  /** The answer to the OPEN_LOCAL_BLOCK that took this lease: the temp file, what is in it now and its sums. */
  OpenLocalBlockResponse granted(long leaseId) {
    long available = load.available();
    int[] sums = load.sums(0, available);
    return OpenLocalBlockResponse.newBuilder().setPath(load.tempPath().toAbsolutePath().toString())
        .setCommittedPath(load.committedPath().toAbsolutePath().toString())
        .setLength(load.length()).setLeaseId(leaseId).setLoading(true).setAvailable(available)
        .addAllChunkCrcs(() -> Arrays.stream(sums).iterator()).build();
  }

  /** Whether the load already ended (its temp file renamed or gone): grant a plain lease instead. */
  boolean loadEnded() {
    return load.isComplete() || load.failure() != null;
  }

  /** Answers {@code call} once the file holds {@code req.offset} bytes or the load ended. */
  void await(ServerCall call, WaitLocalBlockRequest req) {
    if (waiting != null) {
      // The client waits for one thing at a time; a second wait means it gave up on the first.
      waiting.fail(new RpcException(Status.INVALID_ARGUMENT, "superseded by a later wait"));
    }
    waiting = call;
    waitOffset = req.getOffset();
    waitFirstChunk = Math.max(0, req.getFirstChunk());
    pump();
    if (waiting == call) {
      loop.schedule(() -> {
        if (waiting == call) {
          answer(true);
        }
      }, maxWait.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void pump() {
    answer(false);
  }

  /** Answers the wait once the file holds what it asked for, or the load ended; with {@code now}, at once. */
  private void answer(boolean now) {
    if (waiting == null || closed) {
      return;
    }
    RpcException failure = load.failure();
    if (failure != null) {
      waiting.fail(failure);
      waiting = null;
      return;
    }
    boolean complete = load.isComplete();
    long available = load.available();
    if (!now && !complete && available < Math.min(waitOffset, load.length())) {
      return;
    }
    int[] sums = load.sums(waitFirstChunk, available);
    waiting.respond(WaitLocalBlockResponse.newBuilder().setAvailable(available).setLoading(!complete)
        .addAllChunkCrcs(() -> Arrays.stream(sums).iterator()).build());
    waiting = null;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    load.unfollow(waker);
    if (waiting != null) {
      waiting.fail(new RpcException(Status.NOT_FOUND, "the lease was closed"));
      waiting = null;
    }
    load.file().release();
  }

  @Override
  public void closeDetached() {
    if (!closed) {
      load.file().detach();
    }
    close();
  }
}
