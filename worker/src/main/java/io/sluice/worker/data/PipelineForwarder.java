package io.sluice.worker.data;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.sluice.common.proto.BlockLocation;
import io.sluice.common.proto.FrameHeader;
import io.sluice.common.proto.WorkerMethod;
import io.sluice.common.proto.WriteBlockRequest;
import io.sluice.common.proto.WriteBlockResponse;
import io.sluice.common.rpc.ClientStream;
import io.sluice.common.rpc.Frame;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.rpc.ServerCall;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards one block write to the next worker of its pipeline (DESIGN §5): a WRITE_BLOCK of its own to
 * {@code pipeline[1]} carrying {@code pipeline[1..]}, fed with every frame the upstream sends once the
 * {@link BlockWriteStream} verified it, and ended when the block committed here. {@link #finish} completes with the
 * ids of the downstream members that committed; it never fails: a member that cannot be reached is skipped for the
 * one after it, and a downstream that fails, stalls or answers late is dropped (one WARN line each) and the write
 * goes on here with fewer replicas.
 *
 * <p>Threading: everything runs on the upstream connection's event loop. The downstream connection is opened on
 * that same loop ({@link RpcClient#connectAsync}), so its callbacks arrive on this thread too and nothing here is
 * locked or waited for.
 *
 * <p>Backpressure: frames go downstream at once (a retained duplicate of the received buffer, never a copy). When
 * the downstream connection is not writable (its outbound buffer passed the high-water mark) the upstream
 * connection stops being read ({@link ReadPauses}), until the downstream drains; the client's sends then wait on
 * TCP. So what waits here is bounded by the high-water mark plus the frames already decoded from the last socket
 * read; while connecting, the upstream is paused the same way and those few frames are queued. A downstream that
 * stays full too long (see {@code stallMs}) is dropped rather than holding the write forever.
 *
 * <p>The downstream connection is this block's alone: the worker it goes to pauses reading it only for this block,
 * so pauses follow the pipeline to its last member (which writes to disk and never pauses) and cannot form a cycle
 * between workers forwarding to each other, as they could over shared connections.
 */
final class PipelineForwarder {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineForwarder.class);
  /**
   * Resolves the next member's host name, which may block: neither on an event loop nor on the common pool, where
   * anything else in the process could hold it up. Idle threads end after a minute.
   */
  private static final Executor RESOLVER = Executors.newCachedThreadPool(
      new DefaultThreadFactory("sluice-pipeline-resolve", true));

  private final Channel upstream;
  private final EventLoop loop;
  private final long blockId;
  private final WriteBlockRequest request;
  private final RpcOptions options;
  /** The pipeline member the downstream stream goes to (1 first, further when one cannot be reached). */
  private int nextIndex;
  private String next;
  /**
   * How long the downstream may stay full, or take to answer once ended, before it is dropped: less the further down
   * the pipeline (k members after this one: k / (k + 1) of the call timeout, the client waiting a whole one). So the
   * member next to a stalled or silent one gives up on it first, and its upstream, which stalls or waits only because
   * of it, is answered or resumed before giving up in turn.
   */
  private final long stallMs;
  private final long answerMs;
  private final CompletableFuture<List<Long>> committed = new CompletableFuture<>();
  /** Frames that arrived while connecting. */
  private final ArrayDeque<Queued> queued = new ArrayDeque<>();
  private RpcClient client;
  private ClientStream stream;
  /** Dropped, aborted or answered: nothing more goes downstream. */
  private boolean gone;
  /** The block committed here with {@link #length}: end the downstream once it is open. */
  private boolean ended;
  private long length;
  private boolean paused;
  private ScheduledFuture<?> timer;

  private record Queued(long offset, List<Integer> sums, ByteBuf data) {}

  private PipelineForwarder(Channel upstream, WriteBlockRequest request, RpcOptions options) {
    this.upstream = upstream;
    this.loop = upstream.eventLoop();
    this.blockId = request.getBlockId();
    this.request = request;
    this.options = options;
    long callTimeoutMs = options.callTimeout().toMillis();
    int downstreamMembers = request.getPipelineCount() - 1;
    this.answerMs = callTimeoutMs * downstreamMembers / (downstreamMembers + 1);
    this.stallMs = answerMs;
  }

  /**
   * Starts forwarding the write {@code call} opened with {@code req} (whose pipeline has at least two members):
   * connects to the next member on the call's event loop, as the call's user. On the event loop.
   *
   * @param options how to connect: the data server's own options (the connection shares its event loops)
   */
  static PipelineForwarder start(ServerCall call, WriteBlockRequest req, RpcOptions options) {
    PipelineForwarder f = new PipelineForwarder(call.channel(), req, options.withUser(call.user()));
    f.pauseUpstream();
    f.connect(1);
    return f;
  }

  /**
   * Connects to pipeline member {@code index}. Until it answers the upstream stays paused and its frames are
   * queued, so the queue holds the whole block so far: when the member cannot be reached, the next one can take
   * its place with nothing lost (as HDFS rebuilds a pipeline around a dead node, if only before any data flowed).
   */
  private void connect(int index) {
    List<BlockLocation> pipeline = request.getPipelineList();
    BlockLocation to = pipeline.get(index);
    nextIndex = index;
    next = to.getWorkerId() + " (" + to.getAddress().getHost() + ":" + to.getAddress().getDataPort() + ")";
    WriteBlockRequest req = request.toBuilder().clearPipeline()
        .addAllPipeline(pipeline.subList(index, pipeline.size())).build();
    CompletableFuture.supplyAsync(() -> new InetSocketAddress(to.getAddress().getHost(),
            to.getAddress().getDataPort()), RESOLVER)
        .thenCompose(address -> RpcClient.connectAsync(address, options, loop))
        .whenComplete((c, e) -> onLoop(() -> connected(c, e, req), c));
  }

  private void connected(RpcClient c, Throwable error, WriteBlockRequest req) {
    if (error != null && !gone && nextIndex + 1 < request.getPipelineCount()) {
      LOG.warn("block {}: skipping worker {} of the write pipeline: cannot connect: {}", blockId, next,
          message(error));
      connect(nextIndex + 1);
      return;
    }
    if (error != null) {
      drop("cannot connect: " + message(error));
      return;
    }
    if (gone) {
      c.closeAsync();
      return;
    }
    client = c;
    stream = c.openStream(WorkerMethod.WRITE_BLOCK_VALUE, req, 0, Frame::release);
    stream.response().whenComplete((f, e) -> onLoop(() -> answered(f, e), f));
    c.onWritabilityChanged(this::writabilityChanged);
    while (!gone && !queued.isEmpty()) {
      Queued q = queued.poll();
      stream.sendDataNow(q.offset(), q.sums(), q.data());
    }
    if (gone) {
      return;
    }
    if (ended) {
      endDownstream();
    } else if (c.isWritable()) {
      resumeUpstream();
    } else {
      armStallTimer();
    }
  }

  /** Sends a verified frame of the block downstream; the caller keeps (and releases) {@code frame}. */
  void forward(Frame frame) {
    if (gone) {
      return;
    }
    FrameHeader h = frame.header();
    ByteBuf data = frame.data().retainedDuplicate();
    if (stream == null) {
      queued.add(new Queued(h.getOffset(), h.getChunkCrcsList(), data));
      return;
    }
    stream.sendDataNow(h.getOffset(), h.getChunkCrcsList(), data);
    // A failed send may have dropped the downstream already.
    if (!gone && !client.isWritable()) {
      pauseUpstream();
      armStallTimer();
    }
  }

  private void writabilityChanged() {
    if (!gone && !ended && client.isWritable()) {
      cancelTimer();
      resumeUpstream();
    }
  }

  /**
   * The block committed here with {@code committedLength} bytes: ends the downstream's stream and waits for its
   * answer. Completes (on the event loop) with the ids of the downstream members that committed the same length,
   * in pipeline order; empty when the downstream was dropped.
   */
  CompletableFuture<List<Long>> finish(long committedLength) {
    length = committedLength;
    ended = true;
    // No more frames of this call will come: other calls on the connection need not wait for this one.
    resumeUpstream();
    if (!gone && stream != null) {
      endDownstream();
    }
    return committed;
  }

  private void endDownstream() {
    resumeUpstream();
    cancelTimer();
    stream.end();
    timer = loop.schedule(() -> drop("no answer within " + answerMs + " ms of the block's end"), answerMs,
        TimeUnit.MILLISECONDS);
  }

  private void answered(Frame frame, Throwable error) {
    if (gone) {
      if (frame != null) {
        frame.release();
      }
      return;
    }
    if (error != null) {
      drop(message(error));
      return;
    }
    WriteBlockResponse r;
    try {
      r = frame.parseBody(WriteBlockResponse.parser());
    } catch (RpcException e) {
      drop(e.getMessage());
      return;
    } finally {
      frame.release();
    }
    if (!ended || r.getLength() != length) {
      // Not something a correct worker does: whatever it holds is not counted as a replica of this block.
      drop("it committed " + r.getLength() + " bytes, " + (ended ? length + " were committed here" : "early"));
      return;
    }
    close();
    committed.complete(r.getCommittedWorkerIdsList());
  }

  /**
   * The write failed or was abandoned upstream: the downstream's stream is cancelled and its connection closed, so
   * every member after this one discards the block. Idempotent.
   */
  void abort() {
    if (!gone) {
      close();
      committed.complete(List.of());
    }
  }

  /** Leaves the downstream out of this block: the write goes on here alone. */
  private void drop(String why) {
    if (gone) {
      return;
    }
    LOG.warn("block {}: dropping worker {} from the write pipeline: {}", blockId, next, why);
    close();
    committed.complete(List.of());
  }

  private void close() {
    gone = true;
    cancelTimer();
    resumeUpstream();
    for (Queued q; (q = queued.poll()) != null; ) {
      q.data().release();
    }
    if (stream != null) {
      stream.cancel();
    }
    if (client != null) {
      client.onWritabilityChanged(null);
      client.closeAsync();
    }
  }

  private void pauseUpstream() {
    if (!paused) {
      paused = true;
      ReadPauses.pause(upstream);
    }
  }

  private void resumeUpstream() {
    if (paused) {
      paused = false;
      ReadPauses.resume(upstream);
    }
  }

  private void armStallTimer() {
    if (timer == null) {
      timer = loop.schedule(() -> drop("its connection stayed full for " + stallMs + " ms"), stallMs,
          TimeUnit.MILLISECONDS);
    }
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  /**
   * Runs {@code task} on the event loop. When the loop is gone (the worker stopping) the task cannot run:
   * {@code orphan} (a connection or a response frame it would have taken) is freed instead.
   */
  private void onLoop(Runnable task, Object orphan) {
    if (loop.inEventLoop()) {
      task.run();
      return;
    }
    try {
      loop.execute(task);
    } catch (RejectedExecutionException e) {
      if (orphan instanceof RpcClient c) {
        c.closeAsync();
      } else if (orphan instanceof Frame f) {
        f.release();
      }
    }
  }

  private static String message(Throwable t) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    return String.valueOf(cause.getMessage());
  }
}
