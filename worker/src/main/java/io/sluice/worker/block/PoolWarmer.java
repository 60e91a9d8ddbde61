package io.sluice.worker.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pre-touches MEM space ({@code sluice.worker.mem.pretouch}): on a daemon thread, fills each MEM directory's
 * {@link FilePool} with zero-written files, so the first blocks after start land on resident pages instead of
 * faulting fresh ones in (about 0.2 GiB/s on a VM with free-page reporting, DESIGN §10). Startup does not wait for
 * it. Each file is written in {@code tmp/} under a reservation, so the directory never holds more than its capacity
 * and no block can take a file before it is whole; only then does it enter the pool. It stops early when the
 * directory has no unused room left, on a write error (logged), or when closed.
 */
public final class PoolWarmer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PoolWarmer.class);
  /** Big enough that the per-file cost vanishes, small enough that a block reuses one without much cutting. */
  static final long FILE_SIZE = 64L << 20;
  private static final int BUFFER = 1 << 20;

  private final PoolReservations reservations;
  private final long bytes;
  private final long fileSize;
  private final Thread thread;

  PoolWarmer(PoolReservations reservations, long bytes, long fileSize) {
    this.reservations = reservations;
    this.bytes = bytes;
    this.fileSize = fileSize;
    this.thread = new Thread(this::run, "worker-mem-pretouch");
    thread.setDaemon(true);
  }

  /** Starts the thread, unless there is nothing to do. */
  void start() {
    if (bytes > 0) {
      thread.start();
    }
  }

  /** Waits up to {@code timeout} for the pools to be filled; true when done (or never started). */
  public boolean await(Duration timeout) throws InterruptedException {
    thread.join(Math.max(1, timeout.toMillis()));
    return !thread.isAlive();
  }

  /** Stops filling (the file being written is deleted) and waits briefly for the thread to end. */
  @Override
  public void close() {
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    ByteBuffer zeros = ByteBuffer.allocateDirect(BUFFER);
    for (StorageDir d : reservations.poolingDirs()) {
      if (!warm(d, zeros)) {
        return;
      }
    }
  }

  /** Fills one directory's pool; false when interrupted. */
  private boolean warm(StorageDir d, ByteBuffer zeros) {
    long start = System.nanoTime();
    long left = Math.min(bytes, d.capacity()) - reservations.pooled(d);
    long written = 0;
    boolean interrupted = false;
    while (left > 0) {
      long size = reservations.reserveWarm(d, Math.min(fileSize, left));
      if (size <= 0) {
        break; // blocks took the room: nothing left to pre-touch
      }
      Path file = reservations.warmPath(d);
      boolean whole = false;
      try {
        write(file, size, zeros);
        whole = true;
      } catch (ClosedByInterruptException e) {
        interrupted = true;
      } catch (IOException e) {
        LOG.warn("pre-touching {} stopped after {} bytes: {}", d.root(), written, e.toString());
      } finally {
        reservations.warmed(d, file, size, whole);
      }
      if (!whole) {
        break;
      }
      written += size;
      left -= size;
    }
    long ms = Math.max(1, (System.nanoTime() - start) / 1_000_000);
    LOG.info("pre-touched {} MiB of {} in {} ms ({} MiB/s){}", written >> 20, d.root(), ms,
        (written >> 20) * 1000 / ms, interrupted ? ", stopped by shutdown" : "");
    return !interrupted;
  }

  private static void write(Path file, long size, ByteBuffer zeros) throws IOException {
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long at = 0;
      while (at < size) {
        zeros.clear().limit((int) Math.min(BUFFER, size - at));
        while (zeros.hasRemaining()) {
          at += c.write(zeros);
        }
      }
    }
  }
}
