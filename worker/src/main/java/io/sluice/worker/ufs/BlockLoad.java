package io.sluice.worker.ufs;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.common.checksum.ChunkChecksums;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.UfsBlockSource;
import io.sluice.common.rpc.RpcException;
import io.sluice.worker.block.CommitReporter;
import io.sluice.worker.block.TempBlock;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One read-through of a whole block: copies the block's UFS range into a {@link TempBlock} on a UFS thread, then
 * commits it (reported to the master like a written block). Readers follow the copy instead of waiting for it:
 * {@link #available()} is how many bytes are in the file so far, readable through {@link #file()}, and every
 * follower is woken after each buffer, on completion and on failure. A failed load (see {@link UfsBlockReader} for
 * which status) aborts the temp block, so nothing partial is ever cached.
 *
 * <p>Followers come and go without affecting the load: once started it runs to its end even with nobody left, since
 * the block was asked for and the next reader will want it.
 */
public final class BlockLoad implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(BlockLoad.class);

  private final UfsBlockSource source;
  private final TempBlock temp;
  private final SharedBlockFile file;
  private final UfsBlockReader reader;
  private final CommitReporter reporter;
  private final LoadBuffers buffers;
  private final Consumer<BlockLoad> onEnd;
  private final List<Runnable> followers = new CopyOnWriteArrayList<>();
  /**
   * The sums of the chunks in [0, available), filled by the UFS thread before it publishes {@link #available}: a
   * reader that read {@code available} may read the sums of the chunks it covers.
   */
  private final int[] sums;
  private int sumCount; // the UFS thread's
  private volatile long available;
  private volatile boolean complete;
  private volatile RpcException failure;
  private boolean ended; // the UFS thread's (or, for a load that never ran, the canceller's)

  /**
   * @param temp the block to fill; this load owns it from now on
   * @param file a reader on {@code temp}'s file; this load holds the reference it was created with
   * @param onEnd called once the load has committed or aborted, before it drops its reference to the file
   */
  BlockLoad(UfsBlockSource source, TempBlock temp, SharedBlockFile file, UfsBlockReader reader,
      CommitReporter reporter, LoadBuffers buffers, Consumer<BlockLoad> onEnd) {
    this.source = source;
    this.temp = temp;
    this.file = file;
    this.reader = reader;
    this.reporter = reporter;
    this.buffers = buffers;
    this.onEnd = onEnd;
    this.sums = new int[ChunkChecksums.chunks(source.getLength())];
  }

  public long blockId() {
    return temp.blockId();
  }

  /** Where the block is read from. */
  public UfsBlockSource source() {
    return source;
  }

  /** The block's length: what the load copies. */
  public long length() {
    return source.getLength();
  }

  /** Bytes of the block in {@link #file()} so far, from its start. */
  public long available() {
    return available;
  }

  /** Whether all {@link #length()} bytes are in the file. */
  public boolean isComplete() {
    return complete;
  }

  /** Why the load failed, or null while it has not. */
  public RpcException failure() {
    return failure;
  }

  /**
   * The temp file being filled, for a follower on this host to open (see {@link TempBlock#tmpPath}): gone once the
   * load committed (renamed) or aborted.
   */
  public Path tempPath() {
    return temp.tmpPath();
  }

  /** Where {@link #tempPath()} is once the load committed: the same file, renamed. */
  public Path committedPath() {
    return temp.committedPath(length());
  }

  /**
   * The sums of chunks {@code [from, n)}, where {@code n} is how many chunks are whole in the first {@code upTo}
   * bytes (all of them when {@code upTo} is the block's length); {@code upTo} must be a value {@link #available()}
   * returned.
   */
  public int[] sums(int from, long upTo) {
    int n = upTo >= length() ? sums.length : (int) (upTo / ChunkChecksums.CHUNK);
    return from >= n ? new int[0] : Arrays.copyOfRange(sums, from, n);
  }

  /** The file being filled; a follower reads [0, available()) from it. */
  public SharedBlockFile file() {
    return file;
  }

  /**
   * Calls {@code wake} after every change of {@link #available()}, {@link #isComplete()} or {@link #failure()},
   * on the UFS thread, until {@link #unfollow}ed; it must only hand off (to the follower's event loop). Takes a
   * reference to {@link #file()} for the follower, which it releases when done. Called while the load is
   * registered (under {@link ReadThrough}'s lock), so the file is still open.
   */
  void follow(Runnable wake) {
    file.retain();
    followers.add(wake);
  }

  /** Stops waking {@code wake}. The follower still releases its file reference itself. */
  public void unfollow(Runnable wake) {
    followers.remove(wake);
  }

  @Override
  public void run() {
    try {
      try {
        copy();
      } catch (RpcException e) {
        fail(e);
        return;
      } catch (IOException e) {
        fail(reader.readFailed(source, e));
        return;
      } catch (RuntimeException e) {
        LOG.error("loading block {} failed", blockId(), e);
        fail(new RpcException(Status.INTERNAL, "loading block " + blockId() + ": " + e, e));
        return;
      } catch (Error e) {
        fail(new RpcException(Status.INTERNAL, "loading block " + blockId() + ": " + e, e));
        throw e;
      }
      boolean committed = false;
      try {
        // Committed before the followers hear the block is complete: a client that finished reading and reads
        // again must find the block held (a cache hit), not a load on its way out.
        file.attach(temp.commitAndLease());
        committed = true;
      } catch (RpcException e) {
        // The followers still get their bytes (the file is open); the block is just not cached.
        LOG.warn("block {} read from the UFS but not cached: {}: {}", blockId(), e.status(), e.getMessage());
      } catch (RuntimeException e) {
        LOG.error("block {} read from the UFS but not cached", blockId(), e);
      }
      complete = true;
      wakeAll();
      if (committed) {
        // After the wake: queuing the report can wait for a heartbeat in flight, which the readers must not.
        reporter.reportCommitted(blockId());
      }
    } finally {
      // Whatever failed above, the load leaves the registry and drops its file reference, so no reader joins a
      // load that will never wake it and the block stays evictable.
      end();
    }
  }

  /** Copies the block; RpcException for a failure already classified, IOException for a UFS read error. */
  private void copy() throws IOException {
    long length = source.getLength();
    InputStream in = reader.open(source, 0, length);
    try {
      if (in instanceof ReadableByteChannel channel) {
        copyChannel(channel, length);
      } else {
        copyStream(in, length);
      }
    } finally {
      closeQuietly(in);
    }
  }

  private void copyStream(InputStream in, long length) throws IOException {
    byte[] buf = new byte[(int) Math.min(buffers.size(), Math.max(1, length))];
    ByteBuf wrapped = Unpooled.wrappedBuffer(buf);
    try {
      long got = 0;
      while (got < length) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, length - got));
        if (n < 0) {
          throw reader.shortRead(source, got, length);
        }
        got = appended(wrapped.setIndex(0, n), got + n, length);
      }
    } finally {
      wrapped.release();
    }
  }

  /**
   * Reads into a kept direct buffer: a copy from the store into it and one from it into the block file, where a
   * {@code byte[]} costs two more (the JDK copies through a native buffer on both sides); checksummed in between.
   */
  private void copyChannel(ReadableByteChannel in, long length) throws IOException {
    ByteBuffer buf = buffers.take();
    ByteBuf wrapped = Unpooled.wrappedBuffer(buf); // shares buf's memory; releasing it leaves buf alone
    try {
      long got = 0;
      while (got < length) {
        buf.clear().limit((int) Math.min(buf.capacity(), length - got));
        int n = in.read(buf);
        if (n < 0) {
          throw reader.shortRead(source, got, length);
        }
        got = appended(wrapped.setIndex(0, n), got + n, length);
      }
    } finally {
      wrapped.release();
      buffers.give(buf);
    }
  }

  /** Appends {@code data} to the block, which then holds {@code got} bytes, and wakes the followers. */
  private long appended(ByteBuf data, long got, long length) throws RpcException {
    temp.append(data); // the cache disk failing is an RpcException (IO_ERROR, NO_SPACE) of its own
    sumCount = temp.copySums(sums, sumCount, got == length);
    available = got; // publishes the sums written above
    wakeAll();
    return got;
  }

  /** A read stream failing to close loses nothing: every byte wanted was read, or the load fails anyway. */
  private void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      LOG.debug("closing the UFS stream of block {}: {}", blockId(), e.toString());
    }
  }

  /** Ends a load that never ran (its thread pool shut down): aborts it, failing its followers. */
  void cancel() {
    fail(new RpcException(Status.UNAVAILABLE, "the worker is shutting down"));
  }

  private void fail(RpcException e) {
    temp.abort();
    failure = e;
    LOG.info("read-through of block {} failed: {}: {}", blockId(), e.status(), e.getMessage());
    wakeAll();
    end();
  }

  /** Leaves the registry and drops the load's file reference; once, whoever calls it first. */
  private void end() {
    if (ended) {
      return;
    }
    ended = true;
    onEnd.accept(this);
    file.release();
  }

  private void wakeAll() {
    for (Runnable w : followers) {
      w.run();
    }
  }
}
