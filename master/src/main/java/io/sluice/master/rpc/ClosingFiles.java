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
 * <p>Reads by a client that has announcements of its own outstanding are not held. A mount serves its requests in
 * order, so a held read there would hold the RELEASE queued behind it: its own listing of the directory it writes in
 * would wait for itself, and two mounts each reading the other's closing file would wait for each other, both for
 * the whole bound. The price: such a client may read another's file as it was just before its completion, for the
 * millisecond until its own releases are served. Clients are told apart by the client id of their connection's
 * handshake, one per client object (it survives reconnects).
 *
 * <p>Leader memory only, not journaled: it changes no file, it only holds reads back. A writer that announced and
 * then died would hold readers back, so every wait is bounded ({@code sluice.master.close.wait}) and announcements
 * older than that count for nothing. There is no permission check for the same reason: the most an announcement can
 * do is delay readers of a file still being written by that bound.
 *
 * <p>Thread-safe.
 */
final class ClosingFiles {

  /** A read of the store, run again after a wait. */
  interface Read<T extends Message> {
    T run() throws RpcException;
  }

  /** What a read runs before it reads again after a wait: the leader check and read barrier it passed before. */
  interface Recheck {
    void run() throws RpcException;
  }

  private record Closing(CompletableFuture<Void> completed, long deadlineNanos, String clientId) {}

  private final long waitNanos;
  private final LongSupplier nanoTime;
  private final Executor executor;
  private final Recheck recheck;
  private final ConcurrentHashMap<Long, Closing> files = new ConcurrentHashMap<>();
  /** Outstanding announcements per client id, for clients with any (their reads are not held). */
  private final ConcurrentHashMap<String, Integer> announcers = new ConcurrentHashMap<>();
  /**
   * Announcements settled so far, counted before each leaves the map: a read that looked for one and found none, with
   * the count moved since it started, reads again (see {@link #respond}).
   */
  private final AtomicLong settlements = new AtomicLong();
  /** When expired announcements were last swept out (writers that died). */
  private final AtomicLong lastSweep;

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
    this.lastSweep = new AtomicLong(nanoTime.getAsLong());
  }

  /** Answers a FILE_CLOSING; never waits, so it may run on a network thread. */
  void announce(ServerCall call) throws RpcException {
    FileClosingRequest req = call.parse(FileClosingRequest.parser());
    if (req.getClosing()) {
      closing(req.getFileId(), call.clientId());
    } else {
      settled(req.getFileId());
    }
    call.respond(FileClosingResponse.getDefaultInstance());
  }

  /** The writer of file {@code id}, client {@code clientId}, is about to complete it. */
  void closing(long id, String clientId) {
    if (waitNanos <= 0) {
      return;
    }
    long now = nanoTime.getAsLong();
    long last = lastSweep.get();
    if (now - last >= waitNanos && lastSweep.compareAndSet(last, now)) {
      // At most once per wait: announcements of writers that died, which no read came to drop.
      files.forEach((k, c) -> {
        if (c.deadlineNanos() - now <= 0) {
          drop(k, c);
        }
      });
    }
    // A repeated announcement keeps the readers already waiting; theirs run out at their own deadlines.
    files.compute(id, (k, old) -> {
      if (old == null || !old.clientId().equals(clientId)) {
        announcers.merge(clientId, 1, Integer::sum);
        if (old != null) {
          announcers.computeIfPresent(old.clientId(), (a, n) -> n > 1 ? n - 1 : null);
        }
      }
      return new Closing(old != null ? old.completed() : new CompletableFuture<>(), now + waitNanos, clientId);
    });
  }

  /** File {@code id} was completed, its completion failed, or its writer writes again: readers go on. */
  void settled(long id) {
    Closing c = files.get(id);
    if (c != null) {
      drop(id, c);
    }
  }

  /** Drops {@code c} if it is still the announcement of {@code id} (not one renewed meanwhile). */
  private void drop(long id, Closing c) {
    // Counted first: a read that misses the entry from here on sees the count moved (see holds, respond).
    settlements.incrementAndGet();
    if (files.remove(id, c)) {
      announcers.computeIfPresent(c.clientId(), (a, n) -> n > 1 ? n - 1 : null);
      c.completed().complete(null);
    }
  }

  /** The settlement count, to read before a read and pass to {@link #holds}. */
  long settlements() {
    return settlements.get();
  }

  /**
   * Whether a read by {@code clientId} that found {@code f}, having read {@link #settlements} before, must not answer
   * it as it is: {@code f} is announced, or a settlement raced the read while {@code f} was incomplete (the read may
   * have seen the file just before its completion). Allocates nothing.
   */
  boolean holds(FileInfo f, String clientId, long settlementsBefore) {
    // The map first, then the count: a settlement counts before it removes (see drop).
    return writing(f) && (awaited(f, clientId) != null || settlements.get() != settlementsBefore);
  }

  /**
   * Answers {@code call} with what {@code read} finds; when {@code files} of that shows a file another client
   * announced as closing, holds the answer back until the file is complete (or the wait ran out) and answers what
   * {@code read} finds then, reading again on the executor after the recheck. Waits take no thread.
   */
  <T extends Message> void respond(ServerCall call, Read<T> read, Function<T, List<FileInfo>> files)
      throws RpcException {
    long before = settlements.get();
    T answer = read.run();
    List<FileInfo> infos = files.apply(answer);
    CompletableFuture<Void> wait = completions(infos, call.clientId());
    if (wait == null) {
      if (settlements.get() != before && anyWriting(infos)) {
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
   * What a read by {@code clientId} that found {@code infos} must wait for before it reads again: the completion of
   * those that are files still being written and announced as closing by another client, bounded by their
   * announcements' deadlines. Null when there is nothing to wait for, the usual case, and for a client with
   * announcements of its own outstanding.
   */
  CompletableFuture<Void> completions(List<FileInfo> infos, String clientId) {
    if (files.isEmpty() || announcers.containsKey(clientId)) {
      return null;
    }
    List<CompletableFuture<Void>> waits = null;
    long latest = 0;
    for (FileInfo f : infos) {
      Closing c = writing(f) ? awaited(f, clientId) : null;
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

  private static boolean anyWriting(List<FileInfo> infos) {
    for (FileInfo f : infos) {
      if (writing(f)) {
        return true;
      }
    }
    return false;
  }

  private static boolean writing(FileInfo f) {
    return f.getType() == FileType.FILE && !f.getComplete();
  }

  /**
   * The live announcement of {@code f} that a read by {@code clientId} waits for: none when that client has
   * announcements of its own outstanding. Drops an announcement found run out.
   */
  private Closing awaited(FileInfo f, String clientId) {
    if (files.isEmpty() || announcers.containsKey(clientId)) {
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
    return c;
  }
}
