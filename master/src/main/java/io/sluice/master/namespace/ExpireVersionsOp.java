package io.sluice.master.namespace;

import io.sluice.common.proto.BlockMeta;
import io.sluice.common.proto.FileInfo;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.ExpireVersionsEntry;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.proto.VersionRecord;
import io.sluice.master.store.NamespaceReader;
import io.sluice.master.store.StoreBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Drops block versions that were allocated and never committed (DESIGN §3): a writer that died, or gave up without
 * an abandoning COMMIT_EDIT, leaves a pending version's record in {@code versions} and its block on a worker. Past
 * {@code sluice.master.block.version.pending.expiry} no commit may use it ({@link AllocatedBlocks}); this op removes
 * what is left: the records (through {@link NamespaceApplier}, which forgets every removed version) and the blocks
 * (the leader hands the removed ids to the worker registry). A version in its file's block list is committed and
 * never expires; one whose file is gone is pending for good.
 */
public final class ExpireVersionsOp {
  /** One page of the versions scanned, and the expired ones in it. */
  public record Page(List<Long> expired, long last, boolean more) {}

  private ExpireVersionsOp() {}

  /**
   * On the leader: scans up to {@code limit} version records after id {@code after} for pending ones allocated
   * before {@code beforeMs}.
   */
  public static Page scan(NamespaceReader reader, long after, int limit, long beforeMs) {
    List<NamespaceReader.Version> page = reader.versions(after, limit);
    List<Long> expired = new ArrayList<>();
    for (NamespaceReader.Version v : page) {
      if (expired(reader, v.blockId(), v.record(), beforeMs)) {
        expired.add(v.blockId());
      }
    }
    long last = page.isEmpty() ? after : page.get(page.size() - 1).blockId();
    return new Page(expired, last, page.size() == limit);
  }

  /** The journal entry dropping {@code ids}, found expired before {@code beforeMs}. */
  public static Prepared prepare(List<Long> ids, long beforeMs) {
    return Prepared.propose(JournalEntry.newBuilder().setExpireVersions(
        ExpireVersionsEntry.newBuilder().addAllBlockIds(ids).setAllocatedBeforeMs(beforeMs)).build());
  }

  /** Checks each id again (a commit may have come in between) and returns those still expired as removed. */
  public static ApplyResult apply(ExpireVersionsEntry e, StoreBatch b) {
    List<Long> removed = new ArrayList<>();
    for (long id : e.getBlockIdsList()) {
      Optional<VersionRecord> v = b.version(id);
      if (v.isPresent() && expired(b, id, v.get(), e.getAllocatedBeforeMs())) {
        removed.add(id);
      }
    }
    return ApplyResults.ok(FileInfo.getDefaultInstance(), removed);
  }

  private static boolean expired(NamespaceReader reader, long id, VersionRecord v, long beforeMs) {
    if (v.getAllocatedMs() >= beforeMs) {
      return false;
    }
    Optional<InodeRecord> file = reader.inode(v.getFileId());
    if (file.isEmpty()) {
      return true;
    }
    for (BlockMeta m : file.get().getBlocksList()) {
      if (m.getBlockId() == id) {
        return false;
      }
    }
    return true;
  }
}
