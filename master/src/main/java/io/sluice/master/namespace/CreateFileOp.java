package io.sluice.master.namespace;

import io.sluice.common.proto.BlockMeta;
import io.sluice.common.proto.CreateFileRequest;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.CreateFileEntry;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.store.NamespaceReader;
import io.sluice.master.store.StoreBatch;
import java.util.Iterator;
import java.util.List;

/**
 * Creates an empty, incomplete file, to be filled with {@link AddBlockOp} and closed with {@link CompleteFileOp}; with
 * {@code first_block} its block 0 is allocated at once, as ADD_BLOCK with no previous blocks would (which then names
 * the same block).
 * With {@code overwrite} an existing file is replaced by a new inode (its blocks are returned for removal, and its
 * writer, if any, fails on its next call); a directory is never replaced. A file with other names (hard links)
 * only loses this one: the others keep it, blocks and all. With {@code recursive} missing parents
 * are created. Needs write and search permission on the directory the file (or its first missing parent) goes into;
 * replacing a file is removing it, so a sticky directory also asks for owning it, and rewriting its content, so it
 * also needs write permission on the file (as HDFS; FUSE's O_TRUNC is such an overwrite). Errors: ALREADY_EXISTS,
 * IS_DIRECTORY, NOT_FOUND, NOT_DIRECTORY, PERMISSION_DENIED, INVALID_ARGUMENT, STALE.
 */
public final class CreateFileOp {
  /** The largest block size accepted (1 TiB): bounds a block to what a worker tier can hold. */
  static final long MAX_BLOCK_SIZE = 1L << 40;
  /** The most replicas a file may ask for. */
  public static final int MAX_REPLICAS = 16;

  private CreateFileOp() {}

  /** On the leader: validates the request, picks the ids (parents first, then the file), time and owner. */
  public static Prepared prepare(CreateFileRequest req, Caller caller, LeaderContext ctx) throws RpcException {
    NamespacePath path = NamespacePath.parse(req.getPath());
    long blockSize = req.getBlockSize() == 0 ? ctx.defaultBlockSize() : req.getBlockSize();
    if (blockSize <= 0 || blockSize > MAX_BLOCK_SIZE) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": block size " + blockSize + " out of range");
    }
    int replicas = req.getReplicas() == 0 ? 1 : req.getReplicas();
    if (replicas < 0 || replicas > MAX_REPLICAS) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": replicas " + replicas + " out of range");
    }
    NamespaceReader reader = ctx.store().reader();
    PathResolver.Walk walk = check(PathResolver.walk(reader, path, caller), req.getOverwrite(), req.getRecursive(),
        caller);
    int missingParents = walk.complete() ? 0 : path.depth() - 1 - walk.found();
    long first = ctx.ids().allocate(missingParents + 1);
    CreateFileEntry.Builder e = CreateFileEntry.newBuilder().setPath(path.toString()).setId(first + missingParents)
        .setMode(req.getMode() == 0 ? Inodes.DEFAULT_FILE_MODE : req.getMode() & 07777).setOwner(caller.user())
        .setTimeMs(ctx.clock().millis()).setBlockSize(blockSize).setReplicas(replicas)
        .setOverwrite(req.getOverwrite()).setRecursive(req.getRecursive()).setDirMode(Inodes.DEFAULT_DIR_MODE)
        .setFirstBlock(req.getPlaceFirstBlock());
    for (int i = 0; i < missingParents; i++) {
      e.addParentIds(first + i);
    }
    return Prepared.propose(JournalEntry.newBuilder().setCreateFile(e).setCaller(caller.toProto()).build());
  }

  /** On every master: re-validates, replaces an overwritten file, creates parents and the file. */
  public static ApplyResult apply(CreateFileEntry e, Caller caller, StoreBatch b) throws RpcException {
    NamespacePath path = NamespacePath.parse(e.getPath());
    PathResolver.Walk walk = check(PathResolver.walk(b, path, caller), e.getOverwrite(), e.getRecursive(), caller);
    List<Long> removed = List.of();
    InodeRecord parent;
    if (walk.complete()) {
      TreeEdits.Removal r = TreeEdits.remove(b, walk.parent(), path.name(), walk.deepest(), caller, e.getTimeMs());
      removed = r.blocks();
      parent = r.parent();
    } else {
      Iterator<Long> parentIds = e.getParentIdsList().iterator();
      parent = TreeEdits.makeDirectories(b, walk, path.depth() - 1, parentIds, e.getDirMode(), e.getOwner(),
          e.getGroup(), e.getTimeMs());
    }
    long id = TreeEdits.freshId(b, e.getId(), path);
    InodeRecord.Builder file = Inodes.file(id, parent.getId(), path.name(), e.getMode(), e.getOwner(),
        e.getGroup().isEmpty() ? parent.getGroup() : e.getGroup(), e.getTimeMs(), e.getBlockSize(), e.getReplicas())
        .toBuilder().setMountId(parent.getMountId());
    if (e.getFirstBlock()) {
      // As ADD_BLOCK would allocate it: a writer that does not write it leaves it to COMPLETE_FILE to drop.
      file.addBlocks(BlockMeta.newBuilder().setBlockId(BlockIds.of(id, 0)));
    }
    InodeRecord created = file.build();
    b.insertInode(created);
    TreeEdits.link(b, parent, created, e.getTimeMs());
    return ApplyResults.ok(Inodes.toFileInfo(created), removed);
  }

  /** The checks both sides make on how far the path exists, and on the caller's permissions. */
  private static PathResolver.Walk check(PathResolver.Walk walk, boolean overwrite, boolean recursive,
      Caller caller) throws RpcException {
    NamespacePath path = walk.path();
    if (walk.complete()) {
      InodeRecord old = walk.deepest();
      if (old.getType() == FileType.DIRECTORY) {
        throw new RpcException(Status.IS_DIRECTORY, path + ": is a directory");
      }
      if (!overwrite) {
        throw new RpcException(Status.ALREADY_EXISTS, path + ": file exists");
      }
      InodeRecord parent = walk.parent();
      Permissions.check(caller, parent, Permissions.WRITE | Permissions.EXECUTE, path.parent());
      Permissions.checkSticky(caller, parent, old, path);
      // Its content is what an overwrite changes (O_TRUNC through FUSE comes here): as HDFS, write on it too.
      Permissions.check(caller, old, Permissions.WRITE, path);
    } else if (walk.found() < path.depth() - 1 && !recursive) {
      throw new RpcException(Status.NOT_FOUND, path.parent() + ": no such directory");
    } else {
      MkdirOp.checkCreate(caller, walk);
    }
    return walk;
  }
}
