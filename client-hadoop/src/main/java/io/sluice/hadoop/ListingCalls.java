package io.sluice.hadoop;

import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.fs.statistics.StoreStatisticNames;

/**
 * {@link SluiceFileSystem}'s directory listings, whole or a page at a time. Sluice lists a file as itself, which
 * Hadoop also expects, but a directory holding one entry of its own name looks the same on the wire: telling the
 * two apart is most of what this class does.
 */
final class ListingCalls {
  private final CallContext ctx;

  ListingCalls(CallContext ctx) {
    this.ctx = ctx;
  }

  /** Every entry, all pages fetched; a file lists as itself. */
  FileStatus[] listStatus(Path f) throws IOException {
    ctx.statistics().incrementReadOps(1);
    ctx.ioStatistics().incrementCounter(StoreStatisticNames.OP_LIST_STATUS);
    Path dir = ctx.fs().makeQualified(f);
    try {
      List<FileInfo> entries = ctx.client().listStatusAll(ctx.pathOf(dir));
      if (listsItself(dir, entries)) {
        return new FileStatus[] {FileStatusMapper.toFileStatus(entries.get(0), dir)};
      }
      FileStatus[] out = new FileStatus[entries.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = FileStatusMapper.toFileStatus(entries.get(i), new Path(dir, entries.get(i).getName()));
      }
      return out;
    } catch (RpcException e) {
      throw ErrorMapper.lookup(e, f);
    }
  }

  /** Lazily, a page at a time; a file lists as itself. */
  RemoteIterator<FileStatus> listStatusIterator(Path f) throws IOException {
    ctx.statistics().incrementReadOps(1);
    ctx.ioStatistics().incrementCounter(StoreStatisticNames.OP_LIST_STATUS);
    Path dir = ctx.fs().makeQualified(f);
    try {
      Iterator<FileInfo> rest = ctx.client().listStatus(ctx.pathOf(dir)).iterator();
      // The first page is in memory already, so looking at its first two entries costs nothing.
      List<FileInfo> head = new ArrayList<>(2);
      while (head.size() < 2 && rest.hasNext()) {
        head.add(rest.next());
      }
      if (listsItself(dir, head)) {
        return ListingIterator.of(FileStatusMapper.toFileStatus(head.get(0), dir));
      }
      return new ListingIterator(head, rest, dir);
    } catch (RpcException e) {
      throw ErrorMapper.lookup(e, f);
    } catch (UncheckedIOException e) {
      // A second page (page size 1) that failed to load.
      throw e.getCause() instanceof RpcException rpc ? ErrorMapper.lookup(rpc, f) : e.getCause();
    }
  }

  /**
   * Whether a listing of {@code dir} is the file {@code dir} itself. A directory holding one file of its own name
   * looks the same, so only then is the master asked what {@code dir} is.
   */
  private boolean listsItself(Path dir, List<FileInfo> firstEntries) throws IOException {
    if (firstEntries.size() != 1) {
      return false;
    }
    FileInfo only = firstEntries.get(0);
    return only.getType() != FileType.DIRECTORY && only.getName().equals(dir.getName())
        && ctx.statusOf(dir).getType() != FileType.DIRECTORY;
  }
}
