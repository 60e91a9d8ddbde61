package io.sluice.master.namespace;

import io.sluice.common.proto.BlockInfo;
import io.sluice.common.proto.BlockLocation;
import io.sluice.common.proto.BlockMeta;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.GetBlockLocationsResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.UfsBlockSource;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.MountRecord;
import java.util.Optional;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.store.NamespaceReader;
import java.util.List;
import java.util.function.LongFunction;

/**
 * A file's status and its blocks with the live workers holding each (soft state from the worker registry; a block
 * with no location is for the client to read from the UFS or fail). A block of a UFS-backed file carries its UFS
 * source; when no worker holds it, the one worker chosen to read it through is its location ({@code cached} false).
 * Needs read permission on the file. Errors:
 * NOT_FOUND, NOT_DIRECTORY, PERMISSION_DENIED, INVALID_ARGUMENT. A directory has no blocks.
 */
public final class GetBlockLocationsOp {
  private GetBlockLocationsOp() {}

  /** The file's path relative to its mount's UFS root. */
  private static String ufsPath(NamespaceReader reader, long mountId, String path) throws RpcException {
    for (MountRecord m : reader.mounts()) {
      if (m.getInfo().getMountId() == mountId) {
        String normalized = NamespacePath.parse(path).toString();
        return normalized.substring(m.getInfo().getPath().length() + 1);
      }
    }
    throw new RpcException(Status.STALE, path + ": its mount is gone");
  }

  /** Picks the worker that reads an uncached UFS-backed block through, if any is live. */
  @FunctionalInterface
  public interface ReadThrough {
    Optional<BlockLocation> worker(long blockId);
  }

  public static GetBlockLocationsResponse run(NamespaceReader reader, String path,
      LongFunction<List<BlockLocation>> locations, ReadThrough readThrough, Caller caller) throws RpcException {
    InodeRecord file = PathResolver.resolve(reader, NamespacePath.parse(path), caller);
    if (file.getType() != FileType.DIRECTORY) {
      // Asking where a file's blocks are is opening it for reading.
      Permissions.check(caller, file, Permissions.READ, path);
    }
    GetBlockLocationsResponse.Builder out = GetBlockLocationsResponse.newBuilder().setInfo(Inodes.toFileInfo(file));
    String ufsPath = file.getMountId() != 0 && !file.getUfsFingerprint().isEmpty()
        ? ufsPath(reader, file.getMountId(), path) : null;
    long offset = 0;
    for (BlockMeta m : file.getBlocksList()) {
      List<BlockLocation> held = locations.apply(m.getBlockId());
      BlockInfo.Builder block = BlockInfo.newBuilder().setBlockId(m.getBlockId()).setLength(m.getLength())
          .addAllLocations(held).setCached(!held.isEmpty() || ufsPath == null);
      if (ufsPath != null) {
        block.setUfs(UfsBlockSource.newBuilder().setMountId(file.getMountId()).setUfsPath(ufsPath)
            .setOffset(offset).setLength(m.getLength()).setFingerprint(file.getUfsFingerprint()));
        if (held.isEmpty()) {
          readThrough.worker(m.getBlockId()).ifPresent(block::addLocations);
        }
      }
      out.addBlocks(block);
      offset += m.getLength();
    }
    return out.build();
  }
}
