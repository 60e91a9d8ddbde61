package io.sluice.hadoop;

import io.sluice.client.CreateOptions;
import io.sluice.client.FileEditor;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.util.EnumSet;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.fs.statistics.StoreStatisticNames;

/**
 * {@link SluiceFileSystem}'s {@code create} calls: Hadoop's options (and {@link CreateFlag}s, which
 * {@code FileSystem}'s own version mostly drops) as {@link CreateOptions}, the output stream around the client's.
 */
final class CreateCalls {
  private final CallContext ctx;
  private final EditCalls edits;

  /** @param edits for {@link CreateFlag#APPEND}, which appends to an existing file */
  CreateCalls(CallContext ctx, EditCalls edits) {
    this.ctx = ctx;
    this.edits = edits;
  }

  /** HDFS's semantics for the flags: APPEND with OVERWRITE is refused, APPEND without CREATE needs the file. */
  FSDataOutputStream create(Path f, FsPermission permission, EnumSet<CreateFlag> flags, short replication,
      long blockSize, boolean recursive) throws IOException {
    if (!flags.contains(CreateFlag.APPEND)) {
      return create(f, permission, flags.contains(CreateFlag.OVERWRITE), replication, blockSize, recursive);
    }
    CreateFlag.validate(flags);
    if (!flags.contains(CreateFlag.CREATE)) {
      return edits.append(f);
    }
    FileEditor editor;
    try {
      editor = ctx.client().edit(ctx.pathOf(f));
    } catch (RpcException e) {
      if (e.status() == Status.NOT_FOUND) {
        // Created afresh; should another client create it meanwhile, this fails as any create would.
        return create(f, permission, false, replication, blockSize, recursive);
      }
      boolean inTheWay = e.status() == Status.IS_DIRECTORY || e.status() == Status.NOT_DIRECTORY;
      // A directory at the path or a file above it stops the create as it would a plain create.
      throw inTheWay ? ErrorMapper.create(e, f) : edits.notEditable(e, f, "append");
    }
    // Counted there, not above: the create a missing file gets counts itself.
    return edits.append(editor, f);
  }

  /**
   * Creates {@code f} with {@code permission} less the umask; a replication or block size of 0 or less means the
   * client's configured default.
   *
   * @param recursive whether missing parents are created too
   */
  FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, short replication, long blockSize,
      boolean recursive) throws IOException {
    ctx.statistics().incrementWriteOps(1);
    ctx.ioStatistics().incrementCounter(StoreStatisticNames.OP_CREATE);
    CreateOptions options = CreateOptions.defaults().withMode(ctx.maskedMode(permission)).withOverwrite(overwrite)
        .withRecursive(recursive).withBlockSize(Math.max(0, blockSize)).withReplicas(Math.max(0, replication));
    try {
      return new FSDataOutputStream(new SluiceFsOutputStream(ctx.client().create(ctx.pathOf(f), options), f),
          ctx.statistics());
    } catch (RpcException e) {
      throw ErrorMapper.create(e, f);
    }
  }
}
