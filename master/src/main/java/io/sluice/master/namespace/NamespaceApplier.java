package io.sluice.master.namespace;

import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.proto.RequestStamp;
import io.sluice.master.store.NamespaceStore;
import io.sluice.master.store.StoreBatch;
import java.util.Optional;

/**
 * Applies journal entries to the store, on every master, in log order: one batch per entry, committed with the
 * entry's index. An entry at or below the store's applied index is skipped (log replay after a restart), so
 * applying is idempotent. An operation that fails (its status is the client's answer) commits only the index.
 * Deterministic: reads nothing but the store and the entry. A stamped entry (a deduplicated mutation) whose request
 * was applied before gets the recorded first outcome instead of being applied again; otherwise its outcome is
 * recorded in the same batch, and records past the leader's expiry cutoff are dropped.
 */
public final class NamespaceApplier {
  /** The answer for a replayed entry: nobody waits for it. */
  static final ApplyResult SKIPPED = ApplyResult.newBuilder().setStatus(Status.OK).setMessage("already applied")
      .build();

  /** Most request records one apply drops (see {@link StoreBatch#expireRequests}). */
  static final int EXPIRE_PER_APPLY = 64;

  private final NamespaceStore store;

  public NamespaceApplier(NamespaceStore store) {
    this.store = store;
  }

  /**
   * Applies the entry at log position ({@code term}, {@code index}) unless the store already holds it.
   *
   * @throws IllegalStateException for an entry this master does not know (written by a newer version): applying
   *     it as a no-op would make this master diverge, so it must stop instead
   */
  public ApplyResult apply(long term, long index, JournalEntry entry) {
    if (index <= store.appliedIndex()) {
      return SKIPPED;
    }
    try (StoreBatch b = store.newBatch()) {
      RequestStamp stamp = entry.hasRequest() ? entry.getRequest() : null;
      if (stamp != null) {
        Optional<ApplyResult> first = b.requestResult(stamp.getClientId(), stamp.getRequestId());
        if (first.isPresent()) {
          // A retry of a mutation already applied (e.g. proposed again by a new leader): its first outcome.
          store.commit(b, term, index);
          return first.get();
        }
      }
      ApplyResult result;
      try {
        result = switch (entry.getEntryCase()) {
          case MKDIR -> MkdirOp.apply(entry.getMkdir(), Caller.of(entry), b);
          case CREATE_FILE -> CreateFileOp.apply(entry.getCreateFile(), Caller.of(entry), b);
          case ADD_BLOCK -> AddBlockOp.apply(entry.getAddBlock(), b);
          case COMPLETE_FILE -> CompleteFileOp.apply(entry.getCompleteFile(), b);
          case DELETE -> DeleteOp.apply(entry.getDelete(), Caller.of(entry), b);
          case RENAME -> RenameOp.apply(entry.getRename(), Caller.of(entry), b);
          case SET_ATTRIBUTES -> SetAttributesOp.apply(entry.getSetAttributes(), Caller.of(entry), b);
          case CREATE_SYMLINK -> CreateSymlinkOp.apply(entry.getCreateSymlink(), Caller.of(entry), b);
          case SET_XATTR -> XattrOps.applySet(entry.getSetXattr(), Caller.of(entry), b);
          case REMOVE_XATTR -> XattrOps.applyRemove(entry.getRemoveXattr(), Caller.of(entry), b);
          case MOUNT -> MountOp.apply(entry.getMount(), Caller.of(entry), b);
          case UNMOUNT -> UnmountOp.apply(entry.getUnmount(), Caller.of(entry), b);
          case UFS_SYNC -> UfsSyncOp.apply(entry.getUfsSync(), b);
          case SET_TTL -> SetTtlOp.apply(entry.getSetTtl(), Caller.of(entry), b);
          case CLEAR_TTL -> SetTtlOp.applyClear(entry.getClearTtl(), b);
          case START_JOB -> JobTableOp.applyStart(entry.getStartJob(), entry, b);
          case END_JOB -> JobTableOp.applyEnd(entry.getEndJob(), b);
          case ALLOCATE_BLOCK_VERSION -> AllocateBlockVersionOp.apply(entry.getAllocateBlockVersion(),
              Caller.of(entry), b);
          case COMMIT_EDIT -> CommitEditOp.apply(entry.getCommitEdit(), Caller.of(entry), b);
          case LINK -> LinkOp.apply(entry.getLink(), Caller.of(entry), b);
          case EXPIRE_VERSIONS -> ExpireVersionsOp.apply(entry.getExpireVersions(), b);
          case SET_PINNED -> SetPinnedOp.apply(entry.getSetPinned(), Caller.of(entry), b);
          case ENTRY_NOT_SET -> throw new IllegalStateException("unknown journal entry at index " + index
              + " (written by a newer master?): " + entry);
        };
        forgetVersions(result, b);
      } catch (RpcException e) {
        b.discard();
        result = ApplyResults.error(e);
      }
      if (stamp != null) {
        b.recordRequest(stamp.getClientId(), stamp.getRequestId(), stamp.getTimeMs(), result);
        b.expireRequests(stamp.getExpireBeforeMs(), EXPIRE_PER_APPLY);
      }
      store.commit(b, term, index);
      return result;
    }
  }

  /**
   * Every operation that takes blocks out of the namespace (delete, overwrite, a committed change, unmount, a UFS
   * change) returns them for removal from the workers; the records of the block versions among them go here, in
   * one place, so no operation can leave one behind.
   */
  private static void forgetVersions(ApplyResult result, StoreBatch b) {
    for (long id : result.getRemovedBlockIdsList()) {
      if (BlockIds.isVersion(id)) {
        b.deleteVersion(id);
      }
    }
  }
}
