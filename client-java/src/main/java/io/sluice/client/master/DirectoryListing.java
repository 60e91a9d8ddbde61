package io.sluice.client.master;

import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.ListStatusResponse;
import io.sluice.common.rpc.RpcException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The entries of one directory in name order, fetched a page at a time as they are iterated, so a directory of
 * any size costs one page of memory. The first page is fetched when the listing is made, so a missing path or a
 * file fails there with a checked {@link RpcException}; a later page that fails surfaces from {@code hasNext()} as
 * an {@link UncheckedIOException} whose cause is the {@code RpcException}.
 *
 * <p>Each iterator pages independently; a directory changed during iteration yields each name at most once
 * (paging resumes after the last name seen), with no snapshot guarantee. Not thread-safe.
 */
public final class DirectoryListing implements Iterable<FileInfo> {
  private final MasterClient master;
  private final String path;
  private final int pageSize;
  private final ListStatusResponse first;

  /** Fetches the first page. */
  public DirectoryListing(MasterClient master, String path, int pageSize) throws RpcException {
    this(master, path, "", pageSize);
  }

  /** Fetches the first page of the entries named after {@code startAfter} (UTF-8 byte order; "" from the start). */
  public DirectoryListing(MasterClient master, String path, String startAfter, int pageSize) throws RpcException {
    this.master = master;
    this.path = path;
    this.pageSize = pageSize;
    this.first = master.listPage(path, startAfter, pageSize);
  }

  /** The first page alone (up to the page size), as fetched when the listing was made; no further page is asked. */
  public List<FileInfo> firstPage() {
    return first.getEntriesList();
  }

  /** Every entry, fetching the remaining pages now. */
  public List<FileInfo> toList() throws RpcException {
    List<FileInfo> all = new ArrayList<>(first.getEntriesList());
    ListStatusResponse page = first;
    while (page.getHasMore() && page.getEntriesCount() > 0) {
      page = master.listPage(path, all.get(all.size() - 1).getName(), pageSize);
      all.addAll(page.getEntriesList());
    }
    return all;
  }

  @Override
  public Iterator<FileInfo> iterator() {
    return new PageIterator();
  }

  private final class PageIterator implements Iterator<FileInfo> {
    private ListStatusResponse page = first;
    private int index;

    @Override
    public boolean hasNext() {
      // An empty page with has_more would loop forever; treat it as the end.
      if (index == page.getEntriesCount() && page.getHasMore() && index > 0) {
        String last = page.getEntries(index - 1).getName();
        try {
          page = master.listPage(path, last, pageSize);
        } catch (RpcException e) {
          throw new UncheckedIOException(e);
        }
        index = 0;
      }
      return index < page.getEntriesCount();
    }

    @Override
    public FileInfo next() {
      if (!hasNext()) {
        throw new NoSuchElementException(path + ": no more entries");
      }
      return page.getEntries(index++);
    }
  }
}
