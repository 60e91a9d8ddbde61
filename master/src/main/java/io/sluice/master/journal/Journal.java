package io.sluice.master.journal;

import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.JournalEntry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Where the leader sends namespace mutations: {@link MasterJournal} (Ratis), or a direct applier in tests. */
public interface Journal {
  /**
   * Replicates and applies {@code entry}; completes with its result, or exceptionally with an {@link RpcException}
   * (NOT_LEADER, UNAVAILABLE).
   */
  CompletableFuture<ApplyResult> propose(JournalEntry entry);

  /** Fails with NOT_LEADER unless this master leads and has applied everything committed before its term. */
  void checkLeader() throws RpcException;

  /**
   * Returns once this master's store holds every entry committed before the call, as confirmed leader (Raft read
   * index, cheap under a leader lease): a read of the store after it is linearizable. Fails with NOT_LEADER when
   * this master no longer leads.
   */
  void readBarrier() throws RpcException;

  /**
   * Whether {@link #readBarrier} would pass now without waiting for anything (a sole master that leads and has
   * applied its commit index); then a read may be answered on the thread that received it.
   */
  boolean readsLocally();

  /**
   * How long this master has led without interruption, or {@link Duration#ZERO} when it does not lead.
   * Soft state (live workers, block locations) is complete only some heartbeats after taking over.
   */
  Duration leadership();

  /**
   * The Raft term this master leads in, once it has applied everything committed before the term; -1 when it does
   * not lead (yet). Leader-only background work (jobs, TTLs) restarts from the store when the term changes.
   */
  long leaderTerm();
}
