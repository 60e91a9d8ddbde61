package io.sluice.worker.data;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.DefaultFileRegion;
import io.netty.util.ReferenceCounted;
import io.sluice.common.checksum.ChunkChecksums;
import io.sluice.common.proto.ReadBlockResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.Frame;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.ServerCall;
import io.sluice.common.rpc.StreamListener;
import io.sluice.worker.block.MappedBlock;
import io.sluice.worker.block.ReadLease;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * Serves one READ_BLOCK call: the range goes out as STREAM_DATA frames. With {@link TransferMode#ZERO_COPY} each is a
 * {@link DefaultFileRegion} over the block file, so the bytes move from page cache to socket without entering user
 * space (sendfile on epoll); with {@link TransferMode#COPY} each is read into a pooled direct buffer first; with
 * {@link TransferMode#MAPPED}, a slice of the block's kept mapping when it has one ({@link ReadLease#mapped}: MEM
 * blocks read before), else as with COPY. Each
 * frame carries the stored CRC32C of its chunks, so the client verifies the bytes without the worker reading them:
 * frames hold whole chunks, so the stream starts at the chunk holding the range's first byte and ends with the
 * chunk holding its last (the client skips the extra bytes). At most one frame per credit the client granted is
 * sent, so a slow reader holds the worker to its window instead of piling up queued frames. Each region opens the
 * file itself and the transport closes it when the region is released (sent, or dropped with the connection), so
 * no path leaks a file handle.
 *
 * <p>The stream owns a {@link ReadLease} on the block and closes it once the call has ended and every frame it
 * queued has been written or dropped: a region opens its file only when the transport gets to it, so the block must
 * not be evicted before then. Runs on the connection's event loop only (frame futures complete there too).
 */
final class BlockReadStream implements StreamListener {
  private static final int CHUNK = ChunkChecksums.CHUNK;

  private final ServerCall call;
  private final ReadLease lease;
  private final File file;
  private final int[] sums;
  private final long end;
  private final int chunk;
  private final DataTraffic traffic;
  private final TransferMode mode;
  /** COPY (and MAPPED) mode: the block file, opened at the first frame, closed with the lease. */
  private FileChannel channel;
  /** MAPPED mode: the block's kept mapping, or null; held until every frame sliced from it is written or dropped. */
  private MappedBlock mapping;
  private long position;
  private int credits;
  private int inFlight;
  private boolean ended;

  /**
   * @param sums the block's chunk checksums ({@link ReadLease#checksums()})
   * @param chunk the most bytes per frame; rounded up to whole checksum chunks
   */
  BlockReadStream(ServerCall call, ReadLease lease, int[] sums, long offset, long end, int chunk,
      DataTraffic traffic, TransferMode mode) {
    this.mode = mode;
    this.call = call;
    this.lease = lease;
    this.file = lease.path().toFile();
    this.sums = sums;
    boolean empty = end <= offset;
    this.position = empty ? offset : offset - offset % CHUNK;
    this.end = empty ? offset : Math.min(lease.length(), (end + CHUNK - 1) / CHUNK * CHUNK);
    this.chunk = (Math.max(chunk, 1) + CHUNK - 1) / CHUNK * CHUNK;
    this.traffic = traffic;
  }

  void start() {
    if (mode == TransferMode.MAPPED && position < end) {
      mapping = lease.mapped();
    }
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
      boolean mapped = mapping != null;
      ReferenceCounted data;
      try {
        data = mode == TransferMode.ZERO_COPY ? new DefaultFileRegion(file, position, n)
            : mapped ? Unpooled.wrappedBuffer(mapping.slice(position, (int) n)) : copy(position, (int) n);
      } catch (IOException e) {
        inFlight--;
        call.fail(new RpcException(Status.IO_ERROR, "reading " + file + " at " + position + ": " + e));
        ended = true;
        releaseWhenDone();
        return;
      }
      call.sendData(position, ChunkChecksums.range(sums, position, n), data, n).addListener(
          (ChannelFutureListener) f -> {
            inFlight--;
            if (f.isSuccess()) {
              if (mode == TransferMode.ZERO_COPY) {
                traffic.sentZeroCopy(n);
              } else if (mapped) {
                traffic.sentMapped(n);
              } else {
                traffic.sent(n);
              }
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

  /** COPY mode: {@code n} bytes of the file at {@code at} in a pooled direct buffer (page cache, on the loop). */
  private ByteBuf copy(long at, int n) throws IOException {
    if (channel == null) {
      channel = FileChannel.open(file.toPath(), StandardOpenOption.READ);
    }
    ByteBuf buf = call.channel().alloc().directBuffer(n);
    try {
      while (buf.readableBytes() < n) {
        if (buf.writeBytes(channel, at + buf.readableBytes(), n - buf.readableBytes()) < 0) {
          throw new IOException("the file ends at " + (at + buf.readableBytes()));
        }
      }
      return buf;
    } catch (IOException e) {
      buf.release();
      throw e;
    }
  }

  private void releaseWhenDone() {
    if (ended && inFlight == 0) {
      closeChannel();
      // Netty released each frame before completing its write: nothing points into the mapping any more.
      if (mapping != null) {
        mapping.release();
        mapping = null;
      }
      lease.close();
    }
  }

  private void closeChannel() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Read-only: nothing is lost.
      }
      channel = null;
    }
  }
}
