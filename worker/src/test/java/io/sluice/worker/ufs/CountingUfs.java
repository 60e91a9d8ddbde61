package io.sluice.worker.ufs;

import io.sluice.ufs.UfsCapability;
import io.sluice.ufs.UfsListing;
import io.sluice.ufs.UfsOutputStream;
import io.sluice.ufs.UfsPath;
import io.sluice.ufs.UfsRegistry;
import io.sluice.ufs.UfsStatus;
import io.sluice.ufs.UnderFileSystem;
import io.sluice.ufs.UnderFileSystemFactory;
import io.sluice.ufs.local.LocalUfsFactory;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real local UFS with a seam for tests: counts opens and closes, and can hold every stream it opens once it has
 * given {@code n} bytes (see {@link #pauseAfter}) until the test lets it go, so a test can act while a read-through
 * is known to be in the middle of its block.
 */
public final class CountingUfs implements UnderFileSystem {
  private final UnderFileSystem real;
  public final AtomicInteger opens = new AtomicInteger();
  public final AtomicInteger closes = new AtomicInteger();
  /** Reads of the streams opened as channels, through the channel. */
  public final AtomicInteger channelReads = new AtomicInteger();
  private volatile long pauseAt = Long.MAX_VALUE;
  private volatile CountDownLatch paused = new CountDownLatch(1);
  private volatile CountDownLatch resume = new CountDownLatch(0);
  private volatile boolean streamsOnly;

  CountingUfs(UnderFileSystem real) {
    this.real = real;
  }

  /** A registry creating local UFSs wrapped in CountingUfs, each added to {@code created}. */
  public static UfsRegistry registry(List<CountingUfs> created) {
    LocalUfsFactory local = new LocalUfsFactory();
    return new UfsRegistry(List.of(new UnderFileSystemFactory() {
      @Override
      public boolean supports(URI root) {
        return local.supports(root);
      }

      @Override
      public UnderFileSystem create(URI root, Map<String, String> options) throws IOException {
        CountingUfs u = new CountingUfs(local.create(root, options));
        created.add(u);
        return u;
      }
    }));
  }

  /** A fresh list for {@link #registry}. */
  public static List<CountingUfs> list() {
    return new CopyOnWriteArrayList<>();
  }

  /** Streams opened from now on stop after {@code bytes} bytes until {@link #resume()}. */
  public void pauseAfter(long bytes) {
    paused = new CountDownLatch(1);
    resume = new CountDownLatch(1);
    pauseAt = bytes;
  }

  /** Streams opened from now on do not pause; those already paused still wait for {@link #resume()}. */
  public void stopPausing() {
    pauseAt = Long.MAX_VALUE;
  }

  /**
   * Streams opened from now on are plain streams, as S3's and HDFS's are, and not channels too, as the local
   * connector's are (see {@link UnderFileSystem#open}).
   */
  public void streamsOnly() {
    streamsOnly = true;
  }

  /** Waits until a stream reached its pause point. */
  public void awaitPaused() throws InterruptedException {
    if (!paused.await(20, TimeUnit.SECONDS)) {
      throw new AssertionError("no UFS stream reached its pause point");
    }
  }

  public void resume() {
    resume.countDown();
  }

  @Override
  public URI root() {
    return real.root();
  }

  @Override
  public Set<UfsCapability> capabilities() {
    return real.capabilities();
  }

  @Override
  public Optional<UfsStatus> getStatus(UfsPath path) throws IOException {
    return real.getStatus(path);
  }

  @Override
  public UfsListing list(UfsPath dir, String cursor, int limit) throws IOException {
    return real.list(dir, cursor, limit);
  }

  @Override
  public InputStream open(UfsPath path, long offset, long length) throws IOException {
    opens.incrementAndGet();
    InputStream in = real.open(path, offset, length);
    Held held = new Held(in, pauseAt, paused, resume);
    return streamsOnly || !(in instanceof ReadableByteChannel) ? held : new HeldChannel(held, channelReads);
  }

  /** A stream that stops at its pause point until resumed. */
  private static class Held extends FilterInputStream {
    private final long stopAt;
    private final CountDownLatch reached;
    private final CountDownLatch go;
    private long given;

    Held(InputStream in, long stopAt, CountDownLatch reached, CountDownLatch go) {
      super(in);
      this.stopAt = stopAt;
      this.reached = reached;
      this.go = go;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return given(in.read(b, off, allowed(len)));
    }

    /** Waits at the pause point; how many of {@code len} bytes may be given now. */
    int allowed(int len) throws IOException {
      if (given == stopAt) {
        reached.countDown();
        try {
          if (!go.await(30, TimeUnit.SECONDS)) {
            throw new IOException("test never resumed the stream");
          }
        } catch (InterruptedException e) {
          throw new InterruptedIOException();
        }
      }
      return given < stopAt ? (int) Math.min(len, stopAt - given) : len;
    }

    ReadableByteChannel channel() {
      return (ReadableByteChannel) in;
    }

    int given(int n) {
      if (n > 0) {
        given += n;
      }
      return n;
    }
  }

  /** {@link Held}, read as the channel the real stream also is. */
  private static final class HeldChannel extends FilterInputStream implements ReadableByteChannel {
    private final Held held;
    private final AtomicInteger reads;

    HeldChannel(Held held, AtomicInteger reads) {
      super(held);
      this.held = held;
      this.reads = reads;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      reads.incrementAndGet();
      ByteBuffer part = dst.slice().limit(held.allowed(dst.remaining()));
      int n = held.given(held.channel().read(part));
      if (n > 0) {
        dst.position(dst.position() + n);
      }
      return n;
    }

    @Override
    public boolean isOpen() {
      return held.channel().isOpen();
    }
  }

  @Override
  public UfsOutputStream create(UfsPath path, boolean overwrite) throws IOException {
    return real.create(path, overwrite);
  }

  @Override
  public void delete(UfsPath path, boolean recursive) throws IOException {
    real.delete(path, recursive);
  }

  @Override
  public void rename(UfsPath src, UfsPath dst) throws IOException {
    real.rename(src, dst);
  }

  @Override
  public void mkdirs(UfsPath path) throws IOException {
    real.mkdirs(path);
  }

  @Override
  public void close() throws IOException {
    closes.incrementAndGet();
    real.close();
  }
}
