package io.sluice.fuse;

import io.sluice.client.SluiceClient;
import io.sluice.common.proto.FileInfo;
import java.io.IOException;
import java.util.Iterator;

/**
 * An open directory: a cursor over its entries that a series of FUSE readdir calls consumes. Entries come from a
 * paged listing, so however large the directory, this holds one page, and the kernel takes them in as many
 * readdir calls as its buffer needs.
 *
 * <p>Offsets: entry {@code k} (0 is ".", 1 is "..", then the listing) is handed out with offset {@code k + 1}, the
 * position of the next one, and the kernel passes the offset it stopped at to the next readdir. That is normally
 * where the cursor stands; any other offset (a rewinddir, a seekdir) restarts the listing and skips forward.
 */
final class DirectoryHandle {
  private final SluiceClient client;
  private final String path;
  private Iterator<FileInfo> entries;
  private long position;
  private String pending;

  /**
   * Lists {@code path}; its first page is fetched now so a missing path or a file fails the opendir.
   *
   * @throws IOException NOT_FOUND, NOT_DIRECTORY from the client
   */
  DirectoryHandle(SluiceClient client, String path) throws IOException {
    this.client = client;
    this.path = path;
    this.entries = client.listStatus(path).iterator();
  }

  /** The entry to hand out at the cursor, or null at the end. A later page that fails throws (unchecked). */
  String peek() {
    if (pending == null) {
      if (position == 0) {
        pending = ".";
      } else if (position == 1) {
        pending = "..";
      } else if (entries.hasNext()) {
        pending = entries.next().getName();
      }
    }
    return pending;
  }

  /** The peeked entry was taken: the cursor moves past it. */
  void advance() {
    pending = null;
    position++;
  }

  /** The offset the kernel gives for the entry after the current one. */
  long nextOffset() {
    return position + 1;
  }

  /** Moves the cursor to {@code offset}, restarting the listing when it is not where the cursor stands. */
  void seek(long offset) throws IOException {
    if (offset == position) {
      return;
    }
    entries = client.listStatus(path).iterator();
    position = 0;
    pending = null;
    while (position < offset && peek() != null) {
      advance();
    }
  }
}
