package io.sluice.hadoop;

import io.sluice.common.proto.BlockInfo;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FileStatus;

/** {@link SluiceFileSystem#getFileBlockLocations}: a file's Sluice blocks as Hadoop {@link BlockLocation}s. */
final class BlockLocations {
  private final CallContext ctx;

  BlockLocations(CallContext ctx) {
    this.ctx = ctx;
  }

  /**
   * The blocks of {@code file} overlapping {@code [start, start + len)}, each with its range in the file and the
   * live workers caching it ({@code host:dataPort} as name, {@code host} as host), so schedulers can place tasks
   * next to the data; a block no worker holds has no host.
   *
   * @return null for a null {@code file}, none for a directory or a range past the end (FileSystem's contract)
   */
  BlockLocation[] of(FileStatus file, long start, long len) throws IOException {
    if (file == null) {
      return null;  // FileSystem's contract
    }
    if (start < 0 || len < 0) {
      throw new IllegalArgumentException("Invalid start or len parameter");
    }
    if (file.getLen() <= start || file.isDirectory()) {
      return new BlockLocation[0];
    }
    ctx.statistics().incrementReadOps(1);
    List<BlockInfo> blocks;
    try {
      blocks = ctx.client().getBlockLocations(ctx.pathOf(file.getPath()));
    } catch (RpcException e) {
      throw ErrorMapper.lookup(e, file.getPath());
    }
    List<BlockLocation> out = new ArrayList<>();
    long offset = 0;
    long end = start + len;
    for (BlockInfo b : blocks) {
      long blockEnd = offset + b.getLength();
      if (blockEnd > start && offset < end) {
        String[] names = b.getLocationsList().stream()
            .map(l -> l.getAddress().getHost() + ":" + l.getAddress().getDataPort()).toArray(String[]::new);
        String[] hosts = b.getLocationsList().stream().map(l -> l.getAddress().getHost()).toArray(String[]::new);
        out.add(new BlockLocation(names, hosts, offset, b.getLength()));
      }
      offset = blockEnd;
    }
    return out.toArray(new BlockLocation[0]);
  }
}
