package io.sluice.fuse;

import io.sluice.client.SluiceClient;
import io.sluice.common.metrics.ServerMetrics;
import io.sluice.fuse.loop.SessionLoop;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.FuseException;

/**
 * A mounted {@link SluiceFuse}: mounts at a directory (creating it), unmounts on {@link #close()} and, through a
 * shutdown hook, when the JVM is told to stop (SIGTERM, SIGINT). A mount a dead process left behind at the
 * directory (every access fails with ENOTCONN) is cleared first, so a restart after a crash works; a live mount
 * there is an error.
 *
 * <p>The mount serves its metrics ({@link FuseOpMetrics}, JVM) on {@code /metrics} of its own HTTP port
 * ({@link MountOptions#httpPort()}) while it is mounted.
 *
 * <p>The caller owns the client and closes it after this.
 */
public final class FuseMount implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(FuseMount.class);
  /**
   * How long libfuse may take to mount. Right after a stale mount is cleared it has taken over 20 s in CI on 2
   * cores (the test that kills a mount process saw the new mount serve while this process had given up).
   */
  private static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration UNMOUNT_TIMEOUT = Duration.ofSeconds(20);

  private final SluiceFuse fs;
  private final Path dir;
  private final ServerMetrics metrics;
  private final SessionLoop loop;
  private final Thread hook;
  private boolean closed;

  private FuseMount(SluiceFuse fs, Path dir, ServerMetrics metrics, SessionLoop loop) {
    this.fs = fs;
    this.dir = dir;
    this.metrics = metrics;
    this.loop = loop;
    this.hook = new Thread(this::closeQuietly, "sluice-fuse-unmount");
  }

  /**
   * Mounts the Sluice namespace of {@code client} at {@code dir} and returns once the kernel lists the mount.
   *
   * @throws IOException when FUSE is unavailable ({@link FuseSupport}), the directory is mounted by a live
   *     process, or the mount fails
   */
  public static FuseMount mount(SluiceClient client, Path dir, MountOptions options) throws IOException {
    Path target = dir.toAbsolutePath().normalize();
    String missing = FuseSupport.missing().orElse(null);
    if (missing != null) {
      throw new IOException("cannot mount " + target + ": " + missing);
    }
    String charset = FuseSupport.charsetProblem(Charset.defaultCharset()).orElse(null);
    if (charset != null) {
      throw new IOException("cannot mount " + target + ": " + charset);
    }
    clearStale(target);
    Files.createDirectories(target);
    ServerMetrics metrics = ServerMetrics.start("fuse", new InetSocketAddress(options.httpPort()));
    try {
      return mount(client, target, options, metrics);
    } catch (IOException | RuntimeException e) {
      metrics.close();
      throw e;
    }
  }

  private static FuseMount mount(SluiceClient client, Path target, MountOptions options, ServerMetrics metrics)
      throws IOException {
    SluiceFuse fs = SluiceFuse.of(client, new FuseOpMetrics(metrics.registry()), options);
    SessionLoop loop;
    try {
      loop = fs.serve(target, options);
    } catch (IOException | FuseException e) {
      throw new IOException("cannot mount " + target + ": " + e.getMessage(), e);
    }
    FuseMount m = new FuseMount(fs, target, metrics, loop);
    long started = System.nanoTime();
    // FUSE_INIT from the kernel is the proof the mount is live; the mount table is only the fallback.
    boolean live;
    try {
      live = fs.awaitConnected(MOUNT_TIMEOUT) || MountTable.isMounted(target);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      live = false;
    }
    if (!live) {
      fs.umount();
      throw new IOException("cannot mount " + target + ": the kernel did not list the mount within "
          + MOUNT_TIMEOUT.toSeconds() + "s (see the FUSE messages above)");
    }
    Runtime.getRuntime().addShutdownHook(m.hook);
    LOG.info("mounted Sluice at {} in {} ms ({})", target, (System.nanoTime() - started) / 1_000_000, options);
    return m;
  }

  /**
   * Waits until the mount ends (libfuse's loop returned: unmounted from outside with {@code fusermount -u} or
   * {@code sluice fuse umount}); false when {@code timeout} passed first.
   */
  public boolean awaitUnmounted(Duration timeout) throws InterruptedException {
    return fs.awaitEnded(timeout);
  }

  public Path dir() {
    return dir;
  }

  /** The address serving {@code /metrics}, or empty when its port was taken. */
  public Optional<InetSocketAddress> httpAddress() {
    return metrics.httpAddress();
  }

  /** Threads serving the mount's requests now: fixed at mount time ({@link MountOptions#readThreads()} + 1). */
  public int loopThreads() {
    return loop.threads();
  }

  /** Open files and directories of the mount. */
  public int openHandles() {
    return fs.openHandles();
  }

  /** READ requests the kernel sent this mount: reads it served from its page cache are not among them. */
  public long readRequests() {
    return fs.readRequests();
  }

  /** The most READ requests this mount served at once since the last call: above 1 only with read threads. */
  public int takePeakReadsInFlight() {
    return fs.takePeakReadsInFlight();
  }

  /**
   * Unmounts (waiting for it), then completes files still being written. A busy mount (a process has a file open
   * or its working directory inside) is detached lazily: it disappears for new users now and for good when the
   * last one lets go. Idempotent.
   */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // Already shutting down: this is the hook.
    }
    try {
      unmount(dir);
    } finally {
      fs.unmounted();
      fs.closeHandles();
      metrics.close();
      LOG.info("unmounted {}", dir);
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (IOException e) {
      LOG.warn("{}: not cleanly unmounted: {}", dir, e.getMessage());
    }
  }

  /**
   * Unmounts whatever FUSE file system is mounted at {@code dir}: {@code fusermount -u}, and when that fails
   * (busy) {@code fusermount -uz}. Returns when the kernel no longer lists the mount; does nothing when there is
   * none.
   *
   * @throws IOException when it stays mounted
   */
  public static void unmount(Path dir) throws IOException {
    Path target = dir.toAbsolutePath().normalize();
    if (!MountTable.isMounted(target)) {
      return;
    }
    Path fusermount = FuseSupport.findFusermount()
        .orElseThrow(() -> new IOException("cannot unmount " + target + ": fusermount is not installed"));
    Ran plain = run(fusermount.toString(), "-u", target.toString());
    // A refused unmount (busy: a process has a file or its working directory there) does not happen later on its
    // own, so the lazy one follows at once; waiting out the timeout first kept a busy mount serving for 20 s.
    if (plain.exit() == 0 && await(target, false, UNMOUNT_TIMEOUT)) {
      return;
    }
    LOG.info("{}: busy ({}), detaching lazily", target, plain.out().strip());
    Ran lazy = run(fusermount.toString(), "-u", "-z", target.toString());
    if (!await(target, false, UNMOUNT_TIMEOUT)) {
      throw new IOException("cannot unmount " + target + ": " + lazy.out().strip());
    }
  }

  /**
   * Clears a mount of a dead process at {@code dir}: it is listed, but any access fails ("Transport endpoint is
   * not connected"). A live mount is left alone and reported.
   *
   * @throws IOException when a live file system is mounted at {@code dir}, or the stale one cannot be cleared
   */
  public static void clearStale(Path dir) throws IOException {
    Path target = dir.toAbsolutePath().normalize();
    if (!MountTable.isMounted(target)) {
      return;
    }
    // Open the directory: that always asks the daemon, where a stat may be answered from the kernel's cache.
    try {
      Files.newDirectoryStream(target).close();
      throw new IOException(target + " is already mounted by a live process; unmount it first "
          + "(sluice fuse umount " + target + ")");
    } catch (FileSystemException e) {
      LOG.info("{}: clearing the stale mount of a dead process ({})", target, e.getReason());
      Path fusermount = FuseSupport.findFusermount()
          .orElseThrow(() -> new IOException("cannot clear the stale mount at " + target + ": no fusermount"));
      Ran r = run(fusermount.toString(), "-u", "-z", target.toString());
      if (!await(target, false, UNMOUNT_TIMEOUT)) {
        throw new IOException("cannot clear the stale mount at " + target + ": " + r.out().strip());
      }
    }
  }

  /** Waits until {@code dir} is (or is no longer) a mount point; returns whether it got there in time. */
  private static boolean await(Path dir, boolean mounted, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (MountTable.isMounted(dir) != mounted) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return MountTable.isMounted(dir) == mounted;
      }
    }
    return true;
  }

  /** A command's exit code (-1: it did not end in time) and output (for error messages). */
  private record Ran(int exit, String out) {}

  /** Runs a command to its end. */
  private static Ran run(String... cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(UNMOUNT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Ran(-1, out);
      }
      return new Ran(p.exitValue(), out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(String.join(" ", cmd) + ": interrupted", e);
    }
  }
}
