package io.sluice.master.version;

import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.journal.Journal;
import io.sluice.master.namespace.ApplyResults;
import io.sluice.master.namespace.ExpireVersionsOp;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.store.NamespaceStore;
import io.sluice.master.worker.WorkerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the leader, drops block versions still pending past {@code sluice.master.block.version.pending.expiry}
 * ({@link ExpireVersionsOp}): scans the {@code versions} records page by page and journals one entry per page that
 * holds expired ones; the removed blocks go to the worker registry, which has the workers delete them. Run by the
 * master's housekeeping thread; a pass stops as soon as this master no longer leads (the next leader's passes see
 * the same store).
 */
public final class PendingVersionSweeper {
  private static final Logger LOG = LoggerFactory.getLogger(PendingVersionSweeper.class);
  /** Records read per page, and most ids one entry carries. */
  static final int PAGE = 1000;

  private final NamespaceStore store;
  private final Journal journal;
  private final WorkerRegistry registry;
  private final Clock clock;
  private final Duration expiry;

  public PendingVersionSweeper(NamespaceStore store, Journal journal, WorkerRegistry registry, Clock clock,
      Duration expiry) {
    this.store = store;
    this.journal = journal;
    this.registry = registry;
    this.clock = clock;
    this.expiry = expiry;
  }

  /** How often to sweep: a quarter of the expiry, between a second and an hour. */
  public static Duration interval(Duration expiry) {
    long ms = Math.max(1000, Math.min(3_600_000, expiry.toMillis() / 4));
    return Duration.ofMillis(ms);
  }

  /** One pass; logs instead of throwing, so a failure does not cancel the schedule. */
  public void sweepQuietly() {
    try {
      sweep();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RpcException | RuntimeException e) {
      LOG.warn("expiring pending block versions failed; trying again next interval: {}", e.toString());
    }
  }

  /** One pass over the version records; returns how many versions it dropped. */
  public int sweep() throws RpcException, InterruptedException {
    long term = journal.leaderTerm();
    if (term < 0) {
      return 0;
    }
    long before = clock.millis() - expiry.toMillis();
    int dropped = 0;
    long after = 0;
    ExpireVersionsOp.Page page;
    do {
      if (journal.leaderTerm() != term) {
        return dropped;
      }
      page = ExpireVersionsOp.scan(store.reader(), after, PAGE, before);
      after = page.last();
      if (!page.expired().isEmpty()) {
        ApplyResult r = propose(ExpireVersionsOp.prepare(page.expired(), before).entry());
        registry.removeBlocks(r.getRemovedBlockIdsList());
        dropped += r.getRemovedBlockIdsCount();
      }
    } while (page.more());
    if (dropped > 0) {
      LOG.info("dropped {} block versions allocated before {} ms and never committed", dropped, before);
    }
    return dropped;
  }

  private ApplyResult propose(JournalEntry entry) throws RpcException, InterruptedException {
    ApplyResult r;
    try {
      r = journal.propose(entry).get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RpcException re ? re : new RpcException(Status.INTERNAL,
          "proposing failed: " + cause, cause);
    }
    RpcException error = ApplyResults.toException(r);
    if (error != null) {
      throw error;
    }
    return r;
  }
}
