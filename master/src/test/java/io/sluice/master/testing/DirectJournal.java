package io.sluice.master.testing;

import io.sluice.common.rpc.RpcException;
import io.sluice.master.journal.Journal;
import io.sluice.master.namespace.NamespaceApplier;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.store.NamespaceStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A journal of one master without Ratis: each entry is applied at once at the next index. Records what it saw. */
public final class DirectJournal implements Journal {
  private final NamespaceApplier applier;
  private final NamespaceStore store;
  public final List<JournalEntry> proposed = new ArrayList<>();
  /** The term this master leads in: tests set -1 to take leadership away, or a new term to hand it back. */
  public volatile long term = 1;
  /** How long this master has led: tests set it short to play a leader that just took over. */
  public volatile Duration leadership = Duration.ofHours(1);

  public DirectJournal(NamespaceStore store) {
    this.store = store;
    this.applier = new NamespaceApplier(store);
  }

  @Override
  public synchronized CompletableFuture<ApplyResult> propose(JournalEntry entry) {
    proposed.add(entry);
    return CompletableFuture.completedFuture(applier.apply(1, store.appliedIndex() + 1, entry));
  }

  @Override
  public void checkLeader() throws RpcException {}

  @Override
  public void readBarrier() throws RpcException {}

  @Override
  public boolean readsLocally() {
    return true;
  }

  @Override
  public long leaderTerm() {
    return term;
  }

  @Override
  public Duration leadership() {
    return leadership;
  }
}
