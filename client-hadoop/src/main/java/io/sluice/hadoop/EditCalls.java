package io.sluice.hadoop;

import io.sluice.client.FileEditor;
import io.sluice.client.Mount;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import org.apache.hadoop.HadoopIllegalArgumentException;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.statistics.StoreStatisticNames;

/**
 * {@link SluiceFileSystem}'s in-place changes of an existing file, append and truncate, both through a
 * {@link FileEditor}; and where they are possible at all (not under a mount, whose UFS copy cannot be changed in
 * place). See {@link SluiceFileSystem}'s class comment for the semantics.
 */
final class EditCalls {
  private final CallContext ctx;

  EditCalls(CallContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Appends to the existing file {@code f}; what is written appears when the stream closes.
   *
   * @throws java.io.FileNotFoundException when {@code f} is missing or a directory
   * @throws UnsupportedOperationException when {@code f} is under a mount
   */
  FSDataOutputStream append(Path f) throws IOException {
    ctx.statistics().incrementWriteOps(1);
    ctx.ioStatistics().incrementCounter(StoreStatisticNames.OP_APPEND);
    return appendStream(edit(f, "append"), f);
  }

  /**
   * An append to {@code f} through {@code editor}, already opened by the caller (create with APPEND), counted as
   * an append only now that it is one.
   */
  FSDataOutputStream append(FileEditor editor, Path f) throws IOException {
    ctx.statistics().incrementWriteOps(1);
    ctx.ioStatistics().incrementCounter(StoreStatisticNames.OP_APPEND);
    return appendStream(editor, f);
  }

  /** The stream reports positions in the file, from its end on, as HDFS's append stream does. */
  private FSDataOutputStream appendStream(FileEditor editor, Path f) throws IOException {
    return new FSDataOutputStream(new SluiceAppendStream(editor, f), ctx.statistics(), editor.length());
  }

  /**
   * Cuts {@code f} to {@code newLength} bytes at once.
   *
   * @return true: the file has its new length when this returns
   * @throws java.io.FileNotFoundException when {@code f} is missing or a directory
   * @throws HadoopIllegalArgumentException when {@code newLength} is negative or more than the file's length
   * @throws UnsupportedOperationException when {@code f} is under a mount
   */
  boolean truncate(Path f, long newLength) throws IOException {
    if (newLength < 0) {
      throw new HadoopIllegalArgumentException(f + ": cannot truncate to a negative file size: " + newLength);
    }
    ctx.statistics().incrementWriteOps(1);
    FileEditor editor = edit(f, "truncate");
    try (editor) {
      if (newLength > editor.length()) {
        throw new HadoopIllegalArgumentException(f + ": cannot truncate to a larger file size. Current size: "
            + editor.length() + ", truncate size: " + newLength);
      }
      editor.truncate(newLength);
    } catch (RpcException e) {
      throw ErrorMapper.edit(e, f);
    }
    return true;
  }

  /** An editor of the complete file {@code f}, for {@code operation}. */
  private FileEditor edit(Path f, String operation) throws IOException {
    try {
      return ctx.client().edit(ctx.pathOf(f));
    } catch (RpcException e) {
      throw notEditable(e, f, operation);
    }
  }

  /**
   * The exception for an editor refused: the master answers INVALID_ARGUMENT both for a file under a mount and for
   * one still being written, so only the file's status tells which (asked on this failure path only).
   */
  IOException notEditable(RpcException e, Path f, String operation) {
    if (e.status() == Status.INVALID_ARGUMENT) {
      try {
        if (ctx.client().getStatus(ctx.pathOf(f)).getMountId() != 0) {
          throw ErrorMapper.underMount(e, f, operation);
        }
      } catch (RpcException lookup) {
        e.addSuppressed(lookup);
      }
    }
    return ErrorMapper.edit(e, f);
  }

  /**
   * Whether {@code path} is a mount point or below one, where append and truncate are refused; asks the master for
   * its mounts.
   */
  boolean underMount(String path) throws IOException {
    try {
      for (Mount m : ctx.client().mounts()) {
        String point = m.path();
        if (path.equals(point) || path.startsWith(point.endsWith("/") ? point : point + "/")) {
          return true;
        }
      }
      return false;
    } catch (RpcException e) {
      throw ErrorMapper.map(e, new Path(path));
    }
  }
}
