package io.sluice.master.journal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sluice.master.namespace.NamespaceApplier;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.store.NamespaceStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine of the master: parses each committed entry once and hands it to the
 * {@link NamespaceApplier}, whose {@link ApplyResult} goes back to the proposer as the reply message (STYLE 4). No
 * logic of its own. Ratis calls {@link #applyTransaction} from one thread, in log order.
 *
 * <p>An entry that cannot be applied (corrupt, unknown, RocksDB failing) throws: Ratis then stops this server
 * rather than let it diverge from the others.
 *
 * <p>Snapshots are RocksDB checkpoints (DESIGN §3) in {@link CheckpointStorage}, taken on the apply thread between
 * entries, so a checkpoint holds exactly the applied index it is named for; Ratis then purges the log behind it. A
 * follower that fell behind the purged log receives the latest checkpoint and {@link #reinitialize} swaps its store
 * for it.
 */
public final class MasterStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(MasterStateMachine.class);

  private final NamespaceApplier applier;
  private final NamespaceStore store;
  private final CheckpointStorage storage = new CheckpointStorage();

  public MasterStateMachine(NamespaceApplier applier, NamespaceStore store) {
    this.applier = applier;
    this.store = store;
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return storage;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    getLifeCycle().startAndTransition(() -> {
      super.initialize(server, groupId, raftStorage);
      storage.init(raftStorage);
      catchUpFromCheckpoint();
    });
  }

  /** Ratis pauses applying before it puts an installed snapshot in place (then calls {@link #reinitialize}). */
  @Override
  public void pause() {
    getLifeCycle().transition(LifeCycle.State.PAUSING);
    getLifeCycle().transition(LifeCycle.State.PAUSED);
  }

  /** After a snapshot from the leader was installed: load it and resume. */
  @Override
  public void reinitialize() throws IOException {
    catchUpFromCheckpoint();
    getLifeCycle().transition(LifeCycle.State.STARTING);
    getLifeCycle().transition(LifeCycle.State.RUNNING);
  }

  /** Restores the store from the latest checkpoint when that is ahead of it, then tells Ratis where apply stands. */
  private void catchUpFromCheckpoint() throws IOException {
    CheckpointStorage.Latest latest = storage.latest();
    if (latest != null && latest.termIndex().getIndex() > store.appliedIndex()) {
      LOG.info("namespace store at index {} is behind checkpoint {}: restoring", store.appliedIndex(),
          latest.termIndex());
      store.restoreFrom(latest.dir());
    }
    // Ratis resumes applying after this index; entries up to it are in the store already.
    updateLastAppliedTermIndex(store.appliedTerm(), store.appliedIndex());
  }

  /**
   * Keeps the applied index monotonic. After a restart Ratis replays the log from its latest snapshot, which can be
   * behind the store (RocksDB is durable between checkpoints): the applier skips entries the store holds, and the
   * applied index, already set to the store's, must not move back for them, whether they are transactions or
   * configuration and no-op entries (which Ratis reports through {@code notifyTermIndexUpdated}).
   */
  @Override
  protected boolean updateLastAppliedTermIndex(TermIndex next) {
    TermIndex last = getLastAppliedTermIndex();
    if (last != null && next.getIndex() <= last.getIndex()) {
      return false;
    }
    return super.updateLastAppliedTermIndex(next);
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

  /** Checkpoints the store at its applied index (Ratis calls this on the apply thread, between entries). */
  @Override
  public long takeSnapshot() throws IOException {
    TermIndex ti = TermIndex.valueOf(store.appliedTerm(), store.appliedIndex());
    CheckpointStorage.Latest latest = storage.latest();
    if (ti.getIndex() < 0 || ti.getIndex() > getLastAppliedTermIndex().getIndex()) {
      // Nothing applied yet, or Ratis is still replaying entries the store holds: a checkpoint now would be named
      // past what Ratis has applied. The next trigger takes it.
      return latest == null ? RaftLog.INVALID_LOG_INDEX : latest.termIndex().getIndex();
    }
    if (latest != null && latest.termIndex().getIndex() >= ti.getIndex()) {
      return latest.termIndex().getIndex();
    }
    Path scratch = storage.scratch();
    store.checkpoint(scratch);
    Files.move(scratch, storage.dirFor(ti), StandardCopyOption.ATOMIC_MOVE);
    storage.cleanupOldSnapshots(null);
    return ti.getIndex();
  }

  /** The read barrier's query: Ratis calls it once this master applied up to the read index; nothing to read. */
  @Override
  public CompletableFuture<Message> query(Message request) {
    return CompletableFuture.completedFuture(Message.EMPTY);
  }

  @Override
  public SnapshotInfo getLatestSnapshot() {
    return storage.getLatestSnapshot();
  }
}
