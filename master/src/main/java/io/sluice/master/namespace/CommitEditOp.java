package io.sluice.master.namespace;

import io.sluice.common.proto.BlockEdit;
import io.sluice.common.proto.BlockMeta;
import io.sluice.common.proto.CommitEditRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.CommitEditEntry;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.proto.VersionRecord;
import io.sluice.master.store.NamespaceReader;
import io.sluice.master.store.StoreBatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Swaps new block versions into a complete file and sets its length, in one step (DESIGN §3; the rules are those of
 * {@code CommitEditRequest}). Deduplicated, so a retry after a failover answers with the first outcome instead of
 * STALE. The versions that leave the file (replaced, cut off, abandoned) are returned for removal, and their
 * records go with them (see {@link NamespaceApplier}).
 */
public final class CommitEditOp {
  /** The file's block list after the commit and the blocks it removes. */
  private record Swap(List<BlockMeta> blocks, List<Long> removed) {}

  private CommitEditOp() {}

  /** On the leader. Errors: NOT_FOUND, IS_DIRECTORY, PERMISSION_DENIED, INVALID_ARGUMENT, STALE. */
  public static Prepared prepare(CommitEditRequest req, Caller caller, LeaderContext ctx) throws RpcException {
    NamespaceReader reader = ctx.store().reader();
    InodeRecord file = OpenFiles.find(reader, req.getFileId(), req.getPath());
    CommitEditEntry e = CommitEditEntry.newBuilder().setFileId(file.getId()).setBaseLength(req.getBaseLength())
        .setLength(req.getLength()).addAllEdits(req.getEditsList()).addAllAbandoned(req.getAbandonedList())
        .setAbandonOnly(req.getAbandonOnly()).setTimeMs(ctx.clock().millis()).build();
    checkEditable(file, caller, req.getPath());
    if (!e.getAbandonOnly()) {
      swap(reader, file, e, req.getPath());
    }
    return Prepared.propose(JournalEntry.newBuilder().setCommitEdit(e).setCaller(caller.toProto()).build());
  }

  public static ApplyResult apply(CommitEditEntry e, Caller caller, StoreBatch b) throws RpcException {
    String path = "file " + e.getFileId();
    InodeRecord file = OpenFiles.find(b, e.getFileId(), path);
    checkEditable(file, caller, path);
    if (e.getAbandonOnly()) {
      return ApplyResults.ok(Inodes.toFileInfo(file), abandoned(b, file, e, file.getBlocksList()));
    }
    Swap s = swap(b, file, e, path);
    InodeRecord updated = file.toBuilder().clearBlocks().addAllBlocks(s.blocks()).setLength(e.getLength())
        .setMtimeMs(e.getTimeMs()).setCtimeMs(e.getTimeMs()).build();
    b.updateInode(updated);
    return ApplyResults.ok(Inodes.toFileInfo(updated), s.removed());
  }

  /**
   * A file whose blocks a writer may replace: complete (one being written is still the creator's), not under a
   * mount (its UFS copy would have to be rewritten whole) and writable by the caller.
   */
  static void checkEditable(InodeRecord file, Caller caller, String path) throws RpcException {
    if (!file.getComplete()) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": is still being written by its creator");
    }
    if (file.getMountId() != 0) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": files under a mount can only be replaced whole, "
          + "not changed in place");
    }
    Permissions.check(caller, file, Permissions.WRITE, path);
  }

  private static Swap swap(NamespaceReader reader, InodeRecord file, CommitEditEntry e, String path)
      throws RpcException {
    if (file.getLength() != e.getBaseLength()) {
      throw new RpcException(Status.STALE, path + ": changed by another writer (length " + file.getLength()
          + ", was " + e.getBaseLength() + " when this change started)");
    }
    long length = e.getLength();
    long blockSize = file.getBlockSize();
    if (length < 0 || (length + blockSize - 1) / blockSize > BlockIds.MAX_BLOCKS) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": length " + length + " out of range");
    }
    int count = (int) ((length + blockSize - 1) / blockSize);
    Map<Integer, BlockEdit> edits = new HashMap<>();
    for (BlockEdit edit : e.getEditsList()) {
      checkEdit(reader, file, edit, count, path);
      if (edits.put(edit.getIndex(), edit) != null) {
        throw new RpcException(Status.INVALID_ARGUMENT, path + ": block " + edit.getIndex() + " edited twice");
      }
    }
    List<BlockMeta> blocks = new ArrayList<>(count);
    List<Long> removed = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      BlockEdit edit = edits.get(i);
      BlockMeta block;
      if (edit != null) {
        block = edit.getBlock();
        if (i < file.getBlocksCount()) {
          removed.add(file.getBlocks(i).getBlockId());
        }
      } else if (i < file.getBlocksCount()) {
        block = file.getBlocks(i);
      } else {
        throw new RpcException(Status.INVALID_ARGUMENT, path + ": block " + i + " of the new length " + length
            + " was not written");
      }
      long expected = i < count - 1 ? blockSize : length - (long) (count - 1) * blockSize;
      if (block.getLength() != expected) {
        throw new RpcException(Status.INVALID_ARGUMENT, path + ": block " + i + " holds " + block.getLength()
            + " bytes where the new length needs " + expected + (edit == null ? " (it must be rewritten)" : ""));
      }
      blocks.add(block);
    }
    for (int i = count; i < file.getBlocksCount(); i++) {
      removed.add(file.getBlocks(i).getBlockId());
    }
    // A block both replaced and kept (an edit naming the block already there) stays.
    Set<Long> kept = new HashSet<>();
    blocks.forEach(m -> kept.add(m.getBlockId()));
    removed.removeIf(kept::contains);
    removed.addAll(abandoned(reader, file, e, blocks));
    return new Swap(blocks, removed);
  }

  /** The versions named as abandoned that are this file's and not among {@code blocks}, to remove. */
  private static List<Long> abandoned(NamespaceReader reader, InodeRecord file, CommitEditEntry e,
      List<BlockMeta> blocks) {
    Set<Long> kept = new HashSet<>();
    blocks.forEach(m -> kept.add(m.getBlockId()));
    List<Long> out = new ArrayList<>();
    for (long id : e.getAbandonedList()) {
      Optional<VersionRecord> v = BlockIds.isVersion(id) ? reader.version(id) : Optional.empty();
      if (v.isPresent() && v.get().getFileId() == file.getId() && !kept.contains(id)) {
        out.add(id);
      }
    }
    return out;
  }

  /** An edit replaces the block the writer read at its index with a version allocated for that very block. */
  private static void checkEdit(NamespaceReader reader, InodeRecord file, BlockEdit edit, int count, String path)
      throws RpcException {
    int index = edit.getIndex();
    if (index < 0 || index >= count) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": block " + index + " is past the new end");
    }
    long current = index < file.getBlocksCount() ? file.getBlocks(index).getBlockId() : 0;
    if (current != edit.getBaseBlockId()) {
      throw new RpcException(Status.STALE, path + ": block " + index + " was changed by another writer since this "
          + "change started");
    }
    long id = edit.getBlock().getBlockId();
    Optional<VersionRecord> v = BlockIds.isVersion(id) ? reader.version(id) : Optional.empty();
    if (v.isEmpty() || v.get().getFileId() != file.getId() || v.get().getIndex() != index) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": block " + id + " is not a version allocated for "
          + "block " + index + " of this file");
    }
  }
}
