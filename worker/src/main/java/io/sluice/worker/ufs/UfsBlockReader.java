package io.sluice.worker.ufs;

import io.sluice.common.proto.Status;
import io.sluice.common.proto.UfsBlockSource;
import io.sluice.common.rpc.RpcException;
import io.sluice.ufs.BlockSourceCheck;
import io.sluice.ufs.OpenedFile;
import io.sluice.ufs.UfsException;
import io.sluice.ufs.UfsPath;
import io.sluice.ufs.UnderFileSystem;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Optional;

/**
 * Opens the bytes of UFS-backed blocks: the one place that resolves a {@link UfsBlockSource} to its store, checks
 * that the file still is what the namespace knows, and turns UFS failures into the status a reader gets:
 * <ul>
 *   <li>the file gone, now a directory, shorter than the block's end, or with another fingerprint (when the source
 *       has one): STALE, "the UFS file changed", so the client refreshes its metadata;</li>
 *   <li>the store failing (unreachable, an I/O error, refused access, its root gone): UFS_ERROR with the cause,
 *       counted in {@link ReadThroughStats#ufsErrors()};</li>
 *   <li>the mount gone: STALE (from {@link UfsMounts}).</li>
 * </ul>
 * Bytes read through the streams it opens are counted in {@link ReadThroughStats#ufsBytesRead()}. Every method
 * blocks on the store: UFS threads only. Thread-safe.
 */
public final class UfsBlockReader {
  private final UfsMounts mounts;
  private final ReadThroughStats stats;

  public UfsBlockReader(UfsMounts mounts, ReadThroughStats stats) {
    this.mounts = mounts;
    this.stats = stats;
  }

  /**
   * Opens {@code length} bytes of the block from byte {@code from} of the block (not of the file). The caller
   * closes the stream and maps its read errors with {@link #readFailed}; a stream that ends early means the file
   * shrank ({@link #shortRead}).
   *
   * @throws RpcException STALE, UFS_ERROR as above; INVALID_ARGUMENT for a malformed path
   */
  public InputStream open(UfsBlockSource src, long from, long length) throws RpcException {
    UnderFileSystem ufs = mounts.get(src.getMountId());
    UfsPath path;
    try {
      path = UfsPath.parse(src.getUfsPath());
    } catch (UfsException e) {
      throw new RpcException(Status.INVALID_ARGUMENT, describe(src) + ": " + e.getMessage(), e);
    }
    try {
      // The file's status as of this read buys the fingerprint check: without it a file rewritten with the same
      // length would be cached with the new bytes under the old metadata. Where the store returns it with the
      // bytes (S3) this is one request, not a status call before the read.
      Optional<OpenedFile> opened = ufs.openWithStatus(path, src.getOffset() + from, length);
      if (opened.isEmpty()) {
        throw missing(ufs, src);
      }
      Optional<String> changed = BlockSourceCheck.changed(opened.get().status(), src);
      if (changed.isPresent()) {
        closeQuietly(opened.get().in());
        throw changed(src, changed.get());
      }
      InputStream in = opened.get().in();
      return in instanceof ReadableByteChannel ? new CountedChannel(in, stats) : new Counted(in, stats);
    } catch (RpcException e) {
      throw e;
    } catch (UfsException e) {
      throw e.kind() == UfsException.Kind.NOT_FOUND ? missing(ufs, src) : storeFailed(src, e);
    } catch (IOException | RuntimeException e) {
      throw storeFailed(src, e);
    }
  }

  /** Closes a stream of a changed file unread; nothing of it was wanted. */
  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // Read-only and abandoned: nothing is lost.
    }
  }

  /** The status for an error while reading a stream from {@link #open}. */
  public RpcException readFailed(UfsBlockSource src, IOException e) {
    if (e instanceof UfsException u && u.kind() == UfsException.Kind.NOT_FOUND) {
      return changed(src, "it is gone");
    }
    return storeFailed(src, e);
  }

  /** The status for a stream from {@link #open} that ended after {@code got} of the {@code wanted} bytes. */
  public RpcException shortRead(UfsBlockSource src, long got, long wanted) {
    return changed(src, "it ended after " + got + " of the " + wanted + " bytes read");
  }

  /** The file is not there: either it was deleted (STALE) or the whole store is not (UFS_ERROR). */
  private RpcException missing(UnderFileSystem ufs, UfsBlockSource src) {
    try {
      if (ufs.getStatus(UfsPath.ROOT).isEmpty()) {
        return storeFailed(src, new IOException("the UFS root " + ufs.root() + " is gone"));
      }
    } catch (IOException | RuntimeException e) {
      return storeFailed(src, e);
    }
    return changed(src, "it is gone");
  }

  private static RpcException changed(UfsBlockSource src, String why) {
    return new RpcException(Status.STALE, "the UFS file changed: " + describe(src) + ": " + why);
  }

  private RpcException storeFailed(UfsBlockSource src, Exception cause) {
    stats.ufsError();
    return new RpcException(Status.UFS_ERROR, "reading " + describe(src) + " failed: " + cause.getMessage(), cause);
  }

  private static String describe(UfsBlockSource src) {
    return "mount " + src.getMountId() + " '" + src.getUfsPath() + "' [" + src.getOffset() + ", "
        + (src.getOffset() + src.getLength()) + ")";
  }

  /** Counts the bytes read from the store, whoever reads them. */
  private static class Counted extends FilterInputStream {
    final ReadThroughStats stats;

    Counted(InputStream in, ReadThroughStats stats) {
      super(in);
      this.stats = stats;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        stats.ufsRead(1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        stats.ufsRead(n);
      }
      return n;
    }
  }

  /** A {@link Counted} stream that is a channel too (see {@link UnderFileSystem#open}), counted either way. */
  private static final class CountedChannel extends Counted implements ReadableByteChannel {
    CountedChannel(InputStream in, ReadThroughStats stats) {
      super(in, stats);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      int n = ((ReadableByteChannel) in).read(dst);
      if (n > 0) {
        stats.ufsRead(n);
      }
      return n;
    }

    @Override
    public boolean isOpen() {
      return ((ReadableByteChannel) in).isOpen();
    }
  }
}
