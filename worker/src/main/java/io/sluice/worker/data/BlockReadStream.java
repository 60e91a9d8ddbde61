package io.sluice.worker.data;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.DefaultFileRegion;
import io.sluice.common.proto.ReadBlockResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.Frame;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.ServerCall;
import io.sluice.common.rpc.StreamListener;
import java.io.File;

/**
 * Serves one READ_BLOCK call: the range goes out as STREAM_DATA frames, each a {@link DefaultFileRegion} over the
 * block file, so the bytes move from page cache to socket without entering user space (sendfile on epoll). At
 * most one frame per credit the client granted is sent, so a slow reader holds the worker to its window instead of
 * piling up queued frames. Each region opens the file itself and the transport closes it when the region is
 * released (sent, or dropped with the connection), so no path leaks a file handle. Runs on the connection's event
 * loop only.
 */
final class BlockReadStream implements StreamListener {
  private final ServerCall call;
  private final File file;
  private final long blockLength;
  private final long end;
  private final int chunk;
  private long position;
  private int credits;

  BlockReadStream(ServerCall call, File file, long blockLength, long offset, long end, int chunk) {
    this.call = call;
    this.file = file;
    this.blockLength = blockLength;
    this.position = offset;
    this.end = end;
    this.chunk = chunk;
  }

  void start() {
    call.setStreamListener(this);
    onCredit(Math.max(1, call.header().getCredits()));
  }

  @Override
  public void onCredit(int granted) {
    credits += granted;
    while (credits > 0 && position < end && !call.isDone()) {
      long n = Math.min(chunk, end - position);
      credits--;
      call.sendData(position, null, new DefaultFileRegion(file, position, n), n).addListener(
          (ChannelFutureListener) f -> {
            if (!f.isSuccess() && f.channel().isActive()) {
              call.fail(new RpcException(Status.IO_ERROR, "reading " + file + ": " + f.cause()));
            }
          });
      position += n;
    }
    if (position >= end) {
      // Frames are written in order, so the response follows the data on the wire.
      call.respond(ReadBlockResponse.newBuilder().setBlockLength(blockLength).build());
    }
  }

  @Override
  public void onData(Frame frame) {
    frame.release(); // a reader sends no data
  }
}
