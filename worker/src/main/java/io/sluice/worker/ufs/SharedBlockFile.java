package io.sluice.worker.ufs;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.FileRegion;
import io.netty.util.AbstractReferenceCounted;
import io.sluice.worker.block.ReadLease;
import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * One open read channel on a block being loaded, shared by the load and every reader following it, so that a
 * reader that joined before the commit keeps reading the same file after it is renamed into place (or deleted by
 * an abort). Reference counted: the load holds one reference, each follower one, and each region handed to the
 * transport one. The last release closes the channel and the lease on the committed block, if the load attached
 * one, so the block cannot be evicted while anyone still sends from it.
 */
public final class SharedBlockFile extends AbstractReferenceCounted {
  private final FileChannel channel;
  private ReadLease lease;
  /** A short-circuit client may read the file after the last release: end the lease detached. */
  private boolean detached;

  SharedBlockFile(FileChannel channel) {
    this.channel = channel;
  }

  /** Keeps {@code l} until the last reference is released (closes it at once if that already happened). */
  synchronized void attach(ReadLease l) {
    if (refCnt() == 0 && detached) {
      l.closeDetached();
    } else if (refCnt() == 0) {
      l.close();
    } else {
      lease = l;
    }
  }

  /**
   * Marks that a holder outside this process (a short-circuit client whose connection closed) may go on reading the
   * file: the attached lease then ends detached ({@link ReadLease#closeDetached}), so the file is never reused.
   */
  public synchronized void detach() {
    detached = true;
  }

  /**
   * A zero-copy region of {@code count} bytes at {@code position}; it holds a reference to this file, released
   * with the region (by the transport, once sent or dropped), instead of closing the shared channel.
   */
  public FileRegion region(long position, long count) {
    retain();
    return new DefaultFileRegion(channel, position, count) {
      @Override
      protected void deallocate() {
        SharedBlockFile.this.release();
      }
    };
  }

  /**
   * {@code count} bytes at {@code position} read into a new direct buffer of {@code alloc}: the copy mode's frame
   * ({@code sluice.worker.data.transfer=copy}, and always under TLS, which cannot send a region).
   *
   * @throws IOException when the file cannot be read or ends before {@code position + count}
   */
  public ByteBuf copy(ByteBufAllocator alloc, long position, int count) throws IOException {
    ByteBuf buf = alloc.directBuffer(count);
    try {
      while (buf.readableBytes() < count) {
        if (buf.writeBytes(channel, position + buf.readableBytes(), count - buf.readableBytes()) < 0) {
          throw new IOException("the block file ends at " + (position + buf.readableBytes()));
        }
      }
      return buf;
    } catch (IOException | RuntimeException e) {
      buf.release();
      throw e;
    }
  }

  @Override
  protected void deallocate() {
    ReadLease l;
    boolean d;
    synchronized (this) {
      l = lease;
      lease = null;
      d = detached;
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // A read-only channel: nothing to flush, nothing lost.
    }
    if (l != null && d) {
      l.closeDetached();
    } else if (l != null) {
      l.close();
    }
  }

  @Override
  public SharedBlockFile touch(Object hint) {
    return this;
  }
}
