package io.sluice.hadoop;

import io.sluice.common.proto.FileInfo;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * The entries of one directory as a Hadoop {@link RemoteIterator}, fetched page by page as it advances (see
 * {@code io.sluice.client.master.DirectoryListing}), so a huge directory costs one page of memory. A page that
 * fails to load surfaces as the mapped {@link IOException} from {@link #hasNext()}.
 */
final class ListingIterator implements RemoteIterator<FileStatus> {
  private final Iterator<FileInfo> head;
  private final Iterator<FileInfo> rest;
  private final Path dir;

  /**
   * @param head entries already taken from {@code rest}, returned first
   * @param dir the qualified path of the directory listed
   */
  ListingIterator(List<FileInfo> head, Iterator<FileInfo> rest, Path dir) {
    this.head = head.iterator();
    this.rest = rest;
    this.dir = dir;
  }

  /** An iterator of one status: the listing of a file. */
  static RemoteIterator<FileStatus> of(FileStatus only) {
    return new RemoteIterator<>() {
      private boolean done;

      @Override
      public boolean hasNext() {
        return !done;
      }

      @Override
      public FileStatus next() {
        if (done) {
          throw new NoSuchElementException(only.getPath() + ": no more entries");
        }
        done = true;
        return only;
      }
    };
  }

  @Override
  public boolean hasNext() throws IOException {
    if (head.hasNext()) {
      return true;
    }
    try {
      return rest.hasNext();
    } catch (UncheckedIOException e) {
      if (e.getCause() instanceof RpcException rpc) {
        throw ErrorMapper.lookup(rpc, dir);
      }
      throw e.getCause();
    }
  }

  @Override
  public FileStatus next() throws IOException {
    if (!hasNext()) {
      throw new NoSuchElementException(dir + ": no more entries");
    }
    FileInfo info = head.hasNext() ? head.next() : rest.next();
    return FileStatusMapper.toFileStatus(info, new Path(dir, info.getName()));
  }
}
