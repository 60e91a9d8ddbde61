package io.sluice.master.rpc;

import com.google.protobuf.Message;
import io.sluice.common.proto.FileClosingRequest;
import io.sluice.common.proto.FileClosingResponse;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.ServerCall;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Files whose writers said they are closing them (FILE_CLOSING), so that reads wait for their completion: close-to-
 * open consistency for a writer whose completion comes after its caller's close returned. A FUSE mount answers
 * close(2) at FLUSH, and the file completes at the RELEASE the kernel sends after it; without the wait a reader on
 * another mount that opens the file right after the close (a millisecond later) reads it short.
 *
 * <p>Leader memory only, not journaled: it changes no file, it only holds reads back. A writer that announced and
 * then died would hold readers back, so every wait is bounded ({@code sluice.master.close.wait}) and announcements
 * older than that count for nothing. There is no permission check for the same reason: the most an announcement can
 * do is delay readers of a file still being written by that bound.
 *
 * <p>Thread-safe.
 */
final class ClosingFiles {
  /** Past this many announcements, an announcement first drops the ones that ran out (writers that died). */
  private static final int SWEEP_ABOVE = 4096;

  /** A read of the store, run again after a wait. */
  interface Read<T extends Message> {
    T run() throws RpcException;
  }

  private record Closing(CompletableFuture<Void> completed, long deadlineNanos) {}

  private final long waitNanos;
  private final LongSupplier nanoTime;
  private final Executor executor;
  private final ConcurrentHashMap<Long, Closing> files = new ConcurrentHashMap<>();

  /**
   * @param waitNanos the longest a read waits for an announced completion; 0 makes announcements count for nothing
   * @param nanoTime the clock ({@code System::nanoTime} outside tests)
   * @param executor where reads run again after a wait (the RPC threads)
   */
  ClosingFiles(long waitNanos, LongSupplier nanoTime, Executor executor) {
    this.waitNanos = waitNanos;
    this.nanoTime = nanoTime;
    this.executor = executor;
  }

  /** Answers a FILE_CLOSING. */
  void announce(ServerCall call) throws RpcException {
    FileClosingRequest req = call.parse(FileClosingRequest.parser());
    if (req.getClosing()) {
      closing(req.getFileId());
    } else {
      settled(req.getFileId());
    }
    call.respond(FileClosingResponse.getDefaultInstance());
  }

  /** The writer of file {@code id} is about to complete it. */
  void closing(long id) {
    if (waitNanos <= 0) {
      return;
    }
    long deadline = nanoTime.getAsLong() + waitNanos;
    if (files.size() > SWEEP_ABOVE) {
      files.forEach((k, c) -> {
        if (deadline - c.deadlineNanos() > waitNanos) {
          settled(k);
        }
      });
    }
    // A repeated announcement keeps the readers already waiting; theirs run out at their own deadlines.
    files.compute(id, (k, old) -> new Closing(old != null ? old.completed() : new CompletableFuture<>(), deadline));
  }

  /** File {@code id} was completed, its completion failed, or its writer writes again: readers go on. */
  void settled(long id) {
    Closing c = files.remove(id);
    if (c != null) {
      c.completed().complete(null);
    }
  }

  /**
   * Answers {@code call} with what {@code read} finds; when {@code files} of that shows a file announced as closing,
   * holds the answer back until the file is complete (or the wait ran out) and answers what {@code read} finds then,
   * reading again on the executor. Waits take no thread.
   */
  <T extends Message> void respond(ServerCall call, Read<T> read, Function<T, List<FileInfo>> files)
      throws RpcException {
    T answer = read.run();
    CompletableFuture<Void> wait = completions(files.apply(answer));
    if (wait == null) {
      call.respond(answer);
      return;
    }
    wait.whenCompleteAsync((v, error) -> {
      try {
        call.respond(read.run());
      } catch (RpcException | RuntimeException e) {
        call.fail(e);
      }
    }, executor);
  }

  /** Whether a read that found {@code f} must wait for it ({@link #completions}); allocates nothing. */
  boolean holds(FileInfo f) {
    if (files.isEmpty() || f.getType() != FileType.FILE || f.getComplete()) {
      return false;
    }
    Closing c = files.get(f.getId());
    return c != null && c.deadlineNanos() - nanoTime.getAsLong() > 0;
  }

  /**
   * What a read that found {@code infos} must wait for before it reads again: the completion of those that are files
   * still being written and announced as closing, bounded by their announcements' deadlines. Null when there is
   * nothing to wait for, the usual case, which costs a map lookup per incomplete file.
   */
  CompletableFuture<Void> completions(List<FileInfo> infos) {
    List<CompletableFuture<Void>> waits = null;
    long latest = 0;
    long now = 0;
    if (files.isEmpty()) {
      return null;
    }
    for (FileInfo f : infos) {
      if (f.getType() != FileType.FILE || f.getComplete()) {
        continue;
      }
      Closing c = files.get(f.getId());
      if (c == null) {
        continue;
      }
      if (waits == null) {
        waits = new ArrayList<>(1);
        now = nanoTime.getAsLong();
      }
      long left = c.deadlineNanos() - now;
      if (left > 0) {
        waits.add(c.completed());
        latest = Math.max(latest, left);
      }
    }
    if (waits == null || waits.isEmpty()) {
      return null;
    }
    CompletableFuture<Void> all = waits.size() == 1 ? waits.get(0).thenApply(v -> v)
        : CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new));
    return all.completeOnTimeout(null, latest, TimeUnit.NANOSECONDS);
  }
}
