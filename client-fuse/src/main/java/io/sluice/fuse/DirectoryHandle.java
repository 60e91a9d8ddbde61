package io.sluice.fuse;

import io.sluice.client.SluiceClient;
import io.sluice.common.proto.FileInfo;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An open directory: a cursor over its entries that a series of FUSE readdir calls consumes. Entries come from a
 * paged listing, so however large the directory, this holds one page, and the kernel takes them in as many
 * readdir calls as its buffer needs.
 *
 * <p>Offsets: entry {@code k} (0 is ".", 1 is "..", then the listing) is handed out with offset {@code k + 1}, the
 * position of the next one, and the kernel passes the offset it stopped at to the next readdir. That is normally
 * where the cursor stands. Any other offset (the reader's buffer filled in the middle of a batch, a seekdir to a
 * telldir) resumes the listing after the name handed out just before that offset, remembered for the last
 * {@link #REMEMBERED} entries; an older offset, or one never handed out, restarts the listing and skips forward.
 */
final class DirectoryHandle {
  /** Offsets remembered: a few kernel readdir buffers' worth, so the handle stays small for any directory. */
  static final int REMEMBERED = 4096;

  private final SluiceClient client;
  private final String path;
  private final RecentStatuses statuses;
  /** The statuses' generation from before the listing was asked for: its entries are kept as of then. */
  private long generation;
  /** When the listing was asked for: its entries' age in {@link RecentStatuses} counts from then. */
  private long listedNanos;
  private Iterator<FileInfo> entries;
  private long position;
  private String pending;
  /** The status of the pending entry; null for "." and "..". */
  private FileInfo pendingStatus;
  /** Offset -> the listing name handed out with it (the one just before that offset). */
  private final Map<Long, String> handedOut = new LinkedHashMap<>(64, 0.75f, false) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
      return size() > REMEMBERED;
    }
  };

  /**
   * Lists {@code path}; its first page is fetched now so a missing path or a file fails the opendir.
   *
   * @throws IOException NOT_FOUND, NOT_DIRECTORY from the client
   */
  DirectoryHandle(SluiceClient client, String path, RecentStatuses statuses) throws IOException {
    this.client = client;
    this.path = path;
    this.statuses = statuses;
    list(null);
  }

  /** Lists from the start, or after {@code startAfter}; the entries' statuses go to {@link RecentStatuses}. */
  private void list(String startAfter) throws IOException {
    generation = statuses.generation();
    listedNanos = statuses.now();
    entries = startAfter == null ? client.listStatus(path).iterator()
        : client.listStatus(path, startAfter).iterator();
  }

  /** The entry to hand out at the cursor, or null at the end. A later page that fails throws (unchecked). */
  String peek() {
    if (pending == null) {
      if (position == 0) {
        pending = ".";
      } else if (position == 1) {
        pending = "..";
      } else if (entries.hasNext()) {
        FileInfo entry = entries.next();
        pending = entry.getName();
        pendingStatus = entry;
        statuses.put(path.equals("/") ? "/" + pending : path + "/" + pending, entry, generation, listedNanos);
      }
    }
    return pending;
  }

  /** The status of the entry {@link #peek} returned, or null for "." and "..". */
  FileInfo peekedStatus() {
    return pendingStatus;
  }

  /** The peeked entry was taken: the cursor moves past it. */
  void advance() {
    if (position >= 2) {
      handedOut.put(position + 1, pending);
    }
    pending = null;
    pendingStatus = null;
    position++;
  }

  /** The offset the kernel gives for the entry after the current one. */
  long nextOffset() {
    return position + 1;
  }

  /** Moves the cursor to {@code offset}: where it stands, after a remembered name, or by listing from the start. */
  void seek(long offset) throws IOException {
    if (offset == position) {
      return;
    }
    pending = null;
    pendingStatus = null;
    String after = handedOut.get(offset);
    if (after != null) {
      list(after);
      position = offset;
      return;
    }
    list(null);
    position = 0;
    while (position < offset && peek() != null) {
      advance();
    }
  }
}
