package io.sluice.master.rpc;

import com.google.protobuf.Message;
import io.sluice.common.proto.FileClosingRequest;
import io.sluice.common.proto.FileClosingResponse;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.ServerCall;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Files whose writers said they are closing them (FILE_CLOSING), so that reads wait for their completion: close-to-
 * open consistency for a writer whose completion comes after its caller's close returned. A FUSE mount answers
 * close(2) at FLUSH, and the file completes at the RELEASE the kernel sends after it; without the wait a reader on
 * another mount that opens the file right after the close (a millisecond later) reads it short.
 *
 * <p>Reads over the announcing connection itself (the writer's client) are not held: it knows what it writes, and
 * holding them would stall it (a mount serves its requests in order, so a listing of the file's directory there
 * would wait for the release queued behind it). The connection, not the client id, which all clients of one process
 * share.
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

  /** What a read runs before it reads again after a wait: the leader check and read barrier it passed before. */
  interface Recheck {
    void run() throws RpcException;
  }

  private record Closing(CompletableFuture<Void> completed, long deadlineNanos, Object connection) {}

  private final long waitNanos;
  private final LongSupplier nanoTime;
  private final Executor executor;
  private final Recheck recheck;
  private final ConcurrentHashMap<Long, Closing> files = new ConcurrentHashMap<>();
  /** Announcements settled so far: a read that raced a settlement reads again (see {@link #respond}). */
  private final AtomicLong settlements = new AtomicLong();

  /**
   * @param waitNanos the longest a read waits for an announced completion; 0 makes announcements count for nothing
   * @param nanoTime the clock ({@code System::nanoTime} outside tests)
   * @param executor where reads run again after a wait (the RPC threads)
   * @param recheck run before such a read: the leader may have changed during the wait
   */
  ClosingFiles(long waitNanos, LongSupplier nanoTime, Executor executor, Recheck recheck) {
    this.waitNanos = waitNanos;
    this.nanoTime = nanoTime;
    this.executor = executor;
    this.recheck = recheck;
  }

  /** Answers a FILE_CLOSING; never waits, so it may run on a network thread. */
  void announce(ServerCall call) throws RpcException {
    FileClosingRequest req = call.parse(FileClosingRequest.parser());
    if (req.getClosing()) {
      closing(req.getFileId(), connection(call));
    } else {
      settled(req.getFileId());
    }
    call.respond(FileClosingResponse.getDefaultInstance());
  }

  /** The connection a call came over, which an announcement's own reads come over too. */
  static Object connection(ServerCall call) {
    return call.channel().id();
  }

  /** The writer of file {@code id}, calling over {@code connection}, is about to complete it. */
  void closing(long id, Object connection) {
    if (waitNanos <= 0) {
      return;
    }
    long now = nanoTime.getAsLong();
    if (files.size() > SWEEP_ABOVE) {
      files.forEach((k, c) -> {
        if (c.deadlineNanos() - now <= 0) {
          drop(k, c);
        }
      });
    }
    // A repeated announcement keeps the readers already waiting; theirs run out at their own deadlines.
    files.compute(id, (k, old) -> new Closing(old != null ? old.completed() : new CompletableFuture<>(),
        now + waitNanos, connection));
  }

  /** File {@code id} was completed, its completion failed, or its writer writes again: readers go on. */
  void settled(long id) {
    Closing c = files.remove(id);
    if (c != null) {
      settlements.incrementAndGet();
      c.completed().complete(null);
    }
  }

  /** Drops {@code c} if it is still the announcement of {@code id} (not one renewed meanwhile). */
  private void drop(long id, Closing c) {
    if (files.remove(id, c)) {
      settlements.incrementAndGet();
      c.completed().complete(null);
    }
  }

  /** The settlement count, to read before a read and pass to {@link #holds}. */
  long settlements() {
    return settlements.get();
  }

  /**
   * Whether a read over {@code connection} that found {@code f}, having read {@link #settlements} before, must not
   * answer it as it is: {@code f} is announced, or a settlement raced the read while {@code f} was incomplete (the read
   * may have seen the file just before its completion). Allocates nothing.
   */
  boolean holds(FileInfo f, Object connection, long settlementsBefore) {
    if (!writing(f)) {
      return false;
    }
    return settlements.get() != settlementsBefore || awaited(f, connection) != null;
  }

  /**
   * Answers {@code call} with what {@code read} finds; when {@code files} of that shows a file another connection
   * announced as closing, holds the answer back until the file is complete (or the wait ran out) and answers what
   * {@code read} finds then, reading again on the executor after the recheck. Waits take no thread.
   */
  <T extends Message> void respond(ServerCall call, Read<T> read, Function<T, List<FileInfo>> files)
      throws RpcException {
    long before = settlements.get();
    T answer = read.run();
    List<FileInfo> infos = files.apply(answer);
    CompletableFuture<Void> wait = completions(infos, connection(call));
    if (wait == null) {
      if (settlements.get() != before && infos.stream().anyMatch(ClosingFiles::writing)) {
        // A completion may have landed between the read and the look at the announcements: read once more.
        answer = read.run();
      }
      call.respond(answer);
      return;
    }
    wait.whenComplete((v, error) -> {
      try {
        executor.execute(() -> {
          try {
            recheck.run();
            call.respond(read.run());
          } catch (RpcException | RuntimeException e) {
            call.fail(e);
          }
        });
      } catch (RejectedExecutionException e) {
        call.fail(Status.UNAVAILABLE, "master overloaded or stopping");
      }
    });
  }

  /**
   * What a read over {@code connection} that found {@code infos} must wait for before it reads again: the completion
   * of those that are files still being written and announced as closing over another connection, bounded by their
   * announcements' deadlines. Null when there is nothing to wait for, the usual case.
   */
  CompletableFuture<Void> completions(List<FileInfo> infos, Object connection) {
    if (files.isEmpty()) {
      return null;
    }
    List<CompletableFuture<Void>> waits = null;
    long latest = 0;
    for (FileInfo f : infos) {
      Closing c = writing(f) ? awaited(f, connection) : null;
      if (c == null) {
        continue;
      }
      if (waits == null) {
        waits = new ArrayList<>(1);
      }
      waits.add(c.completed());
      latest = Math.max(latest, c.deadlineNanos() - nanoTime.getAsLong());
    }
    if (waits == null) {
      return null;
    }
    CompletableFuture<Void> all = waits.size() == 1 ? waits.get(0).thenApply(v -> v)
        : CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new));
    return all.completeOnTimeout(null, Math.max(latest, 0), TimeUnit.NANOSECONDS);
  }

  private static boolean writing(FileInfo f) {
    return f.getType() == FileType.FILE && !f.getComplete();
  }

  /** The live announcement of {@code f} over a connection other than {@code connection}; drops it when it ran out. */
  private Closing awaited(FileInfo f, Object connection) {
    if (files.isEmpty()) {
      return null;
    }
    Closing c = files.get(f.getId());
    if (c == null) {
      return null;
    }
    if (c.deadlineNanos() - nanoTime.getAsLong() <= 0) {
      drop(f.getId(), c);
      return null;
    }
    return c.connection().equals(connection) ? null : c;
  }
}
