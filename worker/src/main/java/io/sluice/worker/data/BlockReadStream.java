package io.sluice.worker.data;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.DefaultFileRegion;
import io.sluice.common.proto.ReadBlockResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.Frame;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.ServerCall;
import io.sluice.common.rpc.StreamListener;
import io.sluice.worker.block.ReadLease;
import java.io.File;

/**
 * Serves one READ_BLOCK call: the range goes out as STREAM_DATA frames, each a {@link DefaultFileRegion} over the
 * block file, so the bytes move from page cache to socket without entering user space (sendfile on epoll). At
 * most one frame per credit the client granted is sent, so a slow reader holds the worker to its window instead of
 * piling up queued frames. Each region opens the file itself and the transport closes it when the region is
 * released (sent, or dropped with the connection), so no path leaks a file handle.
 *
 * <p>The stream owns a {@link ReadLease} on the block and closes it once the call has ended and every region it
 * queued has been written or dropped: a region opens its file only when the transport gets to it, so the block must
 * not be evicted before then. Runs on the connection's event loop only (region futures complete there too).
 */
final class BlockReadStream implements StreamListener {
  private final ServerCall call;
  private final ReadLease lease;
  private final File file;
  private final long end;
  private final int chunk;
  private final DataTraffic traffic;
  private long position;
  private int credits;
  private int inFlight;
  private boolean ended;

  BlockReadStream(ServerCall call, ReadLease lease, long offset, long end, int chunk, DataTraffic traffic) {
    this.call = call;
    this.lease = lease;
    this.file = lease.path().toFile();
    this.position = offset;
    this.end = end;
    this.chunk = chunk;
    this.traffic = traffic;
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
      inFlight++;
      call.sendData(position, null, new DefaultFileRegion(file, position, n), n).addListener(
          (ChannelFutureListener) f -> {
            inFlight--;
            if (f.isSuccess()) {
              traffic.sent(n);
            } else if (f.channel().isActive()) {
              call.fail(new RpcException(Status.IO_ERROR, "reading " + file + ": " + f.cause()));
              ended = true;
            }
            releaseWhenDone();
          });
      position += n;
    }
    if (position >= end) {
      // Frames are written in order, so the response follows the data on the wire.
      call.respond(ReadBlockResponse.newBuilder().setBlockLength(lease.length()).build());
      ended = true;
      releaseWhenDone();
    }
  }

  @Override
  public void onData(Frame frame) {
    frame.release(); // a reader sends no data
  }

  @Override
  public void onAbort(RpcException cause) {
    ended = true;
    releaseWhenDone();
  }

  private void releaseWhenDone() {
    if (ended && inFlight == 0) {
      lease.close();
    }
  }
}
