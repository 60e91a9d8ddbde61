package io.sluice.master.journal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sluice.master.namespace.NamespaceApplier;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.JournalEntry;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * The Ratis state machine of the master: parses each committed entry once and hands it to the
 * {@link NamespaceApplier}, whose {@link ApplyResult} goes back to the proposer as the reply message (STYLE 4). No
 * logic of its own. Ratis calls {@link #applyTransaction} from one thread, in log order.
 *
 * <p>An entry that cannot be applied (corrupt, unknown, RocksDB failing) throws: Ratis then stops this server
 * rather than let it diverge from the others.
 *
 * <p>Snapshots are not implemented yet: {@link #takeSnapshot} says so, Ratis never purges the log, and a restart
 * replays the whole log over the store, which skips what it already holds.
 */
public final class MasterStateMachine extends BaseStateMachine {
  private final NamespaceApplier applier;

  public MasterStateMachine(NamespaceApplier applier) {
    this.applier = applier;
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto log = trx.getLogEntry();
    JournalEntry entry;
    try {
      entry = JournalEntry.parseFrom(log.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt journal entry at index " + log.getIndex(), e);
    }
    ApplyResult result = applier.apply(log.getTerm(), log.getIndex(), entry);
    updateLastAppliedTermIndex(log.getTerm(), log.getIndex());
    return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(result.toByteArray())));
  }

  /** No snapshot is taken (yet): returning the invalid index tells Ratis so, and it keeps the whole log. */
  @Override
  public long takeSnapshot() {
    return RaftLog.INVALID_LOG_INDEX;
  }
}
