package io.sluice.common.rpc;

import io.netty.buffer.ByteBuf;
import io.sluice.common.proto.FrameHeader;
import io.sluice.common.proto.FrameKind;
import io.sluice.common.proto.Status;
import java.util.concurrent.CompletableFuture;

/**
 * The client's end of a streaming call opened by {@link RpcClient#openStream}. Sending methods may block (a writer
 * waits for the connection to drain, so a fast writer cannot pile up unbounded memory) and must not be called on
 * an event loop.
 */
public final class ClientStream {
  private final RpcClient client;
  private final PendingCall call;

  ClientStream(RpcClient client, PendingCall call) {
    this.client = client;
    this.call = call;
  }

  /** Completes with the final RESPONSE frame (the caller releases it), or exceptionally with the error. */
  public CompletableFuture<Frame> response() {
    return call.response;
  }

  /**
   * Sends one STREAM_DATA frame, taking ownership of {@code data}. Waits while the connection is not writable.
   *
   * @param chunkCrcs the CRC32C of each chunk of {@code data} (see {@code FrameHeader.chunk_crcs}); empty for none
   * @throws RpcException the call's error if it already failed, or UNAVAILABLE when the connection stays blocked
   *     for the call timeout or closes
   */
  public void sendData(long offset, Iterable<Integer> chunkCrcs, ByteBuf data) throws RpcException {
    try {
      awaitWritable();
    } catch (RpcException e) {
      data.release();
      throw e;
    }
    FrameHeader.Builder h = FrameHeader.newBuilder().setCallId(call.id).setKind(FrameKind.STREAM_DATA)
        .setOffset(offset).addAllChunkCrcs(chunkCrcs);
    client.channel().writeAndFlush(new OutboundFrame(h, null, data, data.readableBytes()))
        .addListener(client.failOnError(call.id));
  }

  /**
   * Sends one STREAM_DATA frame at once, taking ownership of {@code data}, without waiting for writability: for a
   * caller on an event loop, which must bound what it queues itself (watch {@link RpcClient#isWritable()}). A
   * failed send fails the call.
   */
  public void sendDataNow(long offset, Iterable<Integer> chunkCrcs, ByteBuf data) {
    FrameHeader.Builder h = FrameHeader.newBuilder().setCallId(call.id).setKind(FrameKind.STREAM_DATA)
        .setOffset(offset).addAllChunkCrcs(chunkCrcs);
    client.channel().writeAndFlush(new OutboundFrame(h, null, data, data.readableBytes()))
        .addListener(client.failOnError(call.id));
  }

  /** Tells the server no more data follows. */
  public void end() {
    control(FrameKind.STREAM_END, 0);
  }

  /** Grants the server {@code credits} more data frames. */
  public void grant(int credits) {
    control(FrameKind.CREDIT, credits);
  }

  /** Gives up on the call: the server stops, and the response fails with UNAVAILABLE. */
  public void cancel() {
    if (!call.response.isDone()) {
      control(FrameKind.CANCEL, 0);
      client.handler().fail(call.id, new RpcException(Status.UNAVAILABLE, "cancelled"));
    }
  }

  private void control(FrameKind kind, int credits) {
    FrameHeader.Builder h = FrameHeader.newBuilder().setCallId(call.id).setKind(kind).setCredits(credits);
    client.channel().writeAndFlush(OutboundFrame.of(h, null)).addListener(client.failOnError(call.id));
  }

  private void awaitWritable() throws RpcException {
    if (call.response.isCompletedExceptionally()) {
      RpcClient.await(call.response); // throws the call's error
    }
    try {
      long nanos = client.options().callTimeout().toNanos();
      if (!client.handler().awaitWritable(client.channel(), nanos)) {
        throw new RpcException(Status.UNAVAILABLE, "connection to " + client.address()
            + (client.isActive() ? " blocked for " + client.options().callTimeout() : " closed"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RpcException(Status.UNAVAILABLE, "interrupted while sending", e);
    }
  }
}
