package io.sluice.master.journal;

import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.JournalEntry;
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
}
