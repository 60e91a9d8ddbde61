package io.sluice.master.namespace;

import io.sluice.common.proto.BlockInfo;
import io.sluice.common.proto.BlockLocation;
import io.sluice.common.proto.BlockMeta;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.GetBlockLocationsResponse;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.store.NamespaceReader;
import java.util.List;
import java.util.function.LongFunction;

/**
 * A file's status and its blocks with the live workers holding each (soft state from the worker registry; a block
 * with no location is for the client to read from the UFS or fail). Needs read permission on the file. Errors:
 * NOT_FOUND, NOT_DIRECTORY, PERMISSION_DENIED, INVALID_ARGUMENT. A directory has no blocks.
 */
public final class GetBlockLocationsOp {
  private GetBlockLocationsOp() {}

  public static GetBlockLocationsResponse run(NamespaceReader reader, String path,
      LongFunction<List<BlockLocation>> locations, Caller caller) throws RpcException {
    InodeRecord file = PathResolver.resolve(reader, NamespacePath.parse(path), caller);
    if (file.getType() != FileType.DIRECTORY) {
      // Asking where a file's blocks are is opening it for reading.
      Permissions.check(caller, file, Permissions.READ, path);
    }
    GetBlockLocationsResponse.Builder out = GetBlockLocationsResponse.newBuilder().setInfo(Inodes.toFileInfo(file));
    for (BlockMeta m : file.getBlocksList()) {
      out.addBlocks(BlockInfo.newBuilder().setBlockId(m.getBlockId()).setLength(m.getLength())
          .addAllLocations(locations.apply(m.getBlockId())));
    }
    return out.build();
  }
}
