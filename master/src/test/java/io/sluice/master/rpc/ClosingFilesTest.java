package io.sluice.master.rpc;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ClosingFilesTest {
  private static final long WAIT = Duration.ofSeconds(5).toNanos();

  private final AtomicLong now = new AtomicLong(1_000);
  private final ClosingFiles closing = new ClosingFiles(WAIT, now::get, Runnable::run);

  private static FileInfo writing(long id) {
    return FileInfo.newBuilder().setId(id).setType(FileType.FILE).setComplete(false).build();
  }

  @Test
  void aReadOfAnAnnouncedFileWaitsForItsCompletion() {
    closing.closing(7);
    assertTrue(closing.holds(writing(7)));
    CompletableFuture<Void> wait = closing.completions(List.of(writing(7)));
    assertNotNull(wait);
    assertFalse(wait.isDone());
    closing.settled(7);
    assertTrue(wait.isDone());
    // Settled: nothing to wait for any more.
    assertFalse(closing.holds(writing(7)));
    assertNull(closing.completions(List.of(writing(7))));
  }

  @Test
  void onlyAnnouncedFilesStillBeingWrittenAreWaitedFor() {
    closing.closing(7);
    assertNull(closing.completions(List.of(writing(8))));
    assertFalse(closing.holds(writing(8)));
    assertFalse(closing.holds(writing(7).toBuilder().setComplete(true).build()));
    assertNull(closing.completions(List.of(writing(7).toBuilder().setComplete(true).build())));
    assertNull(closing.completions(List.of(writing(7).toBuilder().setType(FileType.DIRECTORY).build())));
    assertNull(closing.completions(List.of()));
  }

  @Test
  void aListingWaitsForEveryAnnouncedFileInIt() {
    closing.closing(1);
    closing.closing(2);
    CompletableFuture<Void> wait = closing.completions(List.of(writing(1), writing(3), writing(2)));
    closing.settled(1);
    assertFalse(wait.isDone());
    closing.settled(2);
    assertTrue(wait.isDone());
  }

  @Test
  void aWriteTakingTheAnnouncementBackLetsReadersGo() {
    closing.closing(7);
    CompletableFuture<Void> wait = closing.completions(List.of(writing(7)));
    closing.settled(7);  // what FILE_CLOSING with closing = false does
    assertTrue(wait.isDone());
  }

  @Test
  void anAnnouncementCountsForTheWaitOnly() throws Exception {
    closing.closing(7);
    now.addAndGet(WAIT - 1);
    // Within the wait: the read waits, but no longer than what is left of it (1 ns here).
    CompletableFuture<Void> wait = closing.completions(List.of(writing(7)));
    assertNotNull(wait);
    wait.get(10, TimeUnit.SECONDS);
    now.addAndGet(1);
    // A writer that announced and died holds nobody back after the wait.
    assertNull(closing.completions(List.of(writing(7))));
    assertFalse(closing.holds(writing(7)));
  }

  @Test
  void aRepeatedAnnouncementKeepsTheWaitingReadersAndRenewsTheWait() {
    closing.closing(7);
    CompletableFuture<Void> first = closing.completions(List.of(writing(7)));
    now.addAndGet(WAIT - 10);
    closing.closing(7);
    now.addAndGet(20);
    assertNotNull(closing.completions(List.of(writing(7))), "renewed by the second announcement");
    closing.settled(7);
    assertTrue(first.isDone());
  }

  @Test
  void withNoWaitAnnouncementsCountForNothing() {
    ClosingFiles off = new ClosingFiles(0, now::get, Runnable::run);
    off.closing(7);
    assertNull(off.completions(List.of(writing(7))));
  }

  @Test
  void announcementsOfWritersThatDiedAreDroppedOnceThereAreMany() {
    for (long id = 1; id <= 5000; id++) {
      closing.closing(id);
    }
    CompletableFuture<Void> old = closing.completions(List.of(writing(1)));
    now.addAndGet(WAIT + 1);
    closing.closing(9999);
    // The sweep settled the ones that ran out: a reader still holding one of their waits goes on.
    assertTrue(old.isDone());
    assertNotNull(closing.completions(List.of(writing(9999))));
  }
}
