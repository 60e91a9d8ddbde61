package io.sluice.master.decommission;

import io.sluice.common.proto.BlockMeta;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.UfsBlockSource;
import io.sluice.master.namespace.BlockIds;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.proto.MountRecord;
import io.sluice.master.proto.VersionRecord;
import io.sluice.master.store.NamespaceReader;
import io.sluice.master.store.NamespaceStore;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a copy of a block needs to know from the namespace: its length and, for a block of a UFS-backed file, where
 * the UFS has its bytes. Reads the latest committed state; a block whose file is gone has no source (the registry
 * drops it from its workers soon).
 */
public final class BlockSources {
  /**
   * @param length the block's length, or its file's block size for a version not yet swapped into its file (the
   *     target reserves that much and keeps what the source sends)
   * @param ufs where the UFS has the block's bytes, or null for a Sluice-native block
   */
  public record BlockSource(long length, UfsBlockSource ufs) {}

  private final Supplier<NamespaceReader> reader;

  public BlockSources(Supplier<NamespaceReader> reader) {
    this.reader = reader;
  }

  public Optional<BlockSource> lookup(long blockId) {
    NamespaceReader r = reader.get();
    long fileId;
    int index;
    if (BlockIds.isVersion(blockId)) {
      Optional<VersionRecord> v = r.version(blockId);
      if (v.isEmpty()) {
        return Optional.empty();
      }
      fileId = v.get().getFileId();
      index = v.get().getIndex();
    } else {
      fileId = BlockIds.fileId(blockId);
      index = BlockIds.index(blockId);
    }
    Optional<InodeRecord> found = r.inode(fileId).filter(f -> f.getType() == FileType.FILE);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    InodeRecord file = found.get();
    boolean inFile = index < file.getBlocksCount() && file.getBlocks(index).getBlockId() == blockId;
    if (!inFile) {
      return BlockIds.isVersion(blockId) ? Optional.of(new BlockSource(file.getBlockSize(), null)) : Optional.empty();
    }
    long length = file.getBlocks(index).getLength();
    return Optional.of(new BlockSource(length, ufsSource(r, file, index, length)));
  }

  /** The UFS range of block {@code index} of a UFS-backed file, or null for a Sluice-native one. */
  private static UfsBlockSource ufsSource(NamespaceReader r, InodeRecord file, int index, long length) {
    if (file.getMountId() == 0 || file.getUfsFingerprint().isEmpty()) {
      return null;
    }
    Optional<String> path = pathOf(r, file);
    Optional<String> mountPath = r.mounts().stream().filter(m -> m.getInfo().getMountId() == file.getMountId())
        .map(MountRecord::getInfo).map(i -> i.getPath()).findFirst();
    if (path.isEmpty() || mountPath.isEmpty() || !path.get().startsWith(mountPath.get() + "/")) {
      return null; // moved or unmounted meanwhile: the copy from the worker is all there is
    }
    long offset = 0;
    for (int i = 0; i < index; i++) {
      BlockMeta m = file.getBlocks(i);
      offset += m.getLength();
    }
    return UfsBlockSource.newBuilder().setMountId(file.getMountId())
        .setUfsPath(path.get().substring(mountPath.get().length() + 1)).setOffset(offset).setLength(length)
        .setFingerprint(file.getUfsFingerprint()).build();
  }

  /** The path of {@code inode}, from its ancestors' names; empty when one of them is gone. */
  private static Optional<String> pathOf(NamespaceReader r, InodeRecord inode) {
    Deque<String> names = new ArrayDeque<>();
    InodeRecord at = inode;
    while (at.getId() != NamespaceStore.ROOT_ID) {
      names.push(at.getName());
      Optional<InodeRecord> parent = r.inode(at.getParentId());
      if (parent.isEmpty()) {
        return Optional.empty();
      }
      at = parent.get();
    }
    return Optional.of("/" + String.join("/", names));
  }
}
