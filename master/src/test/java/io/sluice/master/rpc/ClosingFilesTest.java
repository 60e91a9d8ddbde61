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
  /** Client ids, as the master tells clients apart. */
  private static final String WRITER = "writer-client";
  private static final String READER = "reader-client";

  private final AtomicLong now = new AtomicLong(1_000);
  private final ClosingFiles closing = new ClosingFiles(WAIT, now::get, Runnable::run, () -> { });

  private static FileInfo writing(long id) {
    return FileInfo.newBuilder().setId(id).setType(FileType.FILE).setComplete(false).build();
  }

  private CompletableFuture<Void> readerWaits(FileInfo... infos) {
    return closing.completions(List.of(infos), READER);
  }

  @Test
  void aReadOfAnAnnouncedFileWaitsForItsCompletion() {
    long before = closing.settlements();
    closing.closing(7, WRITER);
    assertTrue(closing.holds(writing(7), READER, before));
    CompletableFuture<Void> wait = readerWaits(writing(7));
    assertNotNull(wait);
    assertFalse(wait.isDone());
    closing.settled(7);
    assertTrue(wait.isDone());
    // Settled: nothing to wait for any more.
    long after = closing.settlements();
    assertFalse(closing.holds(writing(7), READER, after));
    assertNull(readerWaits(writing(7)));
  }

  @Test
  void readsByTheAnnouncingClientAreNotHeld() {
    long before = closing.settlements();
    closing.closing(7, WRITER);
    assertNull(closing.completions(List.of(writing(7)), WRITER));
    assertFalse(closing.holds(writing(7), WRITER, before));
  }

  @Test
  void aClientWithAnnouncementsOfItsOwnIsNotHeldUntilTheyAreSettled() {
    // Two mounts each reading the other's closing file would otherwise wait for each other: each one's release is
    // queued behind its held read.
    closing.closing(7, WRITER);
    closing.closing(8, READER);
    assertNull(readerWaits(writing(7)));
    assertNull(closing.completions(List.of(writing(8)), WRITER));
    closing.settled(8);
    assertNotNull(readerWaits(writing(7)), "held again once its own announcement is settled");
    // Renewing one's own announcement does not count twice.
    closing.closing(9, READER);
    closing.closing(9, READER);
    closing.settled(9);
    assertNotNull(readerWaits(writing(7)));
  }

  @Test
  void aReadThatRacedASettlementOfAFileBeingWrittenReadsAgain() {
    closing.closing(7, WRITER);
    long before = closing.settlements();
    // The read found file 7 incomplete; before it looked at the announcements, the completion settled it.
    closing.settled(7);
    assertTrue(closing.holds(writing(7), READER, before));
    assertFalse(closing.holds(writing(7).toBuilder().setComplete(true).build(), READER, before));
  }

  @Test
  void onlyAnnouncedFilesStillBeingWrittenAreWaitedFor() {
    long before = closing.settlements();
    closing.closing(7, WRITER);
    assertNull(readerWaits(writing(8)));
    assertNull(readerWaits(writing(7).toBuilder().setComplete(true).build()));
    assertNull(readerWaits(writing(7).toBuilder().setType(FileType.DIRECTORY).build()));
    assertNull(readerWaits());
    assertFalse(closing.holds(writing(8), READER, before));
    assertFalse(closing.holds(writing(7).toBuilder().setComplete(true).build(), READER, before));
  }

  @Test
  void aListingWaitsForEveryAnnouncedFileInIt() {
    closing.closing(1, WRITER);
    closing.closing(2, WRITER);
    CompletableFuture<Void> wait = readerWaits(writing(1), writing(3), writing(2));
    closing.settled(1);
    assertFalse(wait.isDone());
    closing.settled(2);
    assertTrue(wait.isDone());
  }

  @Test
  void aWriteTakingTheAnnouncementBackLetsReadersGo() {
    closing.closing(7, WRITER);
    CompletableFuture<Void> wait = readerWaits(writing(7));
    closing.settled(7);  // what FILE_CLOSING with closing = false does
    assertTrue(wait.isDone());
  }

  @Test
  void anAnnouncementCountsForTheWaitOnly() throws Exception {
    closing.closing(7, WRITER);
    now.addAndGet(WAIT - 1);
    // Within the wait: the read waits, but no longer than what is left of it (1 ns here).
    CompletableFuture<Void> wait = readerWaits(writing(7));
    assertNotNull(wait);
    wait.get(10, TimeUnit.SECONDS);
    now.addAndGet(1);
    // A writer that announced and died holds nobody back after the wait.
    long before = closing.settlements();
    assertNull(readerWaits(writing(7)));
    assertFalse(closing.holds(writing(7), READER, closing.settlements()));
    assertTrue(closing.settlements() > before, "the run-out announcement was dropped when found");
  }

  @Test
  void aRepeatedAnnouncementKeepsTheWaitingReadersAndRenewsTheWait() {
    closing.closing(7, WRITER);
    CompletableFuture<Void> first = readerWaits(writing(7));
    now.addAndGet(WAIT - 10);
    closing.closing(7, WRITER);
    now.addAndGet(20);
    assertNotNull(readerWaits(writing(7)), "renewed by the second announcement");
    closing.settled(7);
    assertTrue(first.isDone());
  }

  @Test
  void withNoWaitAnnouncementsCountForNothing() {
    ClosingFiles off = new ClosingFiles(0, now::get, Runnable::run, () -> { });
    off.closing(7, WRITER);
    assertNull(off.completions(List.of(writing(7)), READER));
  }

  @Test
  void announcementsOfWritersThatDiedAreDroppedOnceThereAreMany() {
    for (long id = 1; id <= 5000; id++) {
      closing.closing(id, WRITER);
    }
    CompletableFuture<Void> old = readerWaits(writing(1));
    now.addAndGet(WAIT + 1);
    closing.closing(9999, WRITER);
    // The sweep dropped the ones that ran out: a reader still holding one of their waits goes on.
    assertTrue(old.isDone());
    assertNotNull(readerWaits(writing(9999)));
  }
}
