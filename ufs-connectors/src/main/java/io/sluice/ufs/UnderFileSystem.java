package io.sluice.ufs;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Optional;
import java.util.Set;

/**
 * A store under Sluice (DESIGN 4): a small core every connector implements, plus {@link #capabilities()} for what
 * only some stores can do (STYLE 8). Paths are {@link UfsPath}s relative to the mounted {@link #root()}, so a connector
 * only ever sees checked paths. Every failure is an {@link UfsException} whose kind is listed per method; a store
 * outage is {@code UNAVAILABLE} or {@code IO_ERROR}. Implementations are thread-safe; {@link #close()} releases
 * clients and pools, not the stored data.
 */
public interface UnderFileSystem extends Closeable {
  /** The URI this instance is mounted at, e.g. {@code s3://bucket/prefix}. */
  URI root();

  /** What this store can do beyond the core contract. */
  Set<UfsCapability> capabilities();

  /** The status of {@code path}, empty when nothing is there. The root is always a directory. */
  Optional<UfsStatus> getStatus(UfsPath path) throws IOException;

  /**
   * One page of the children of directory {@code dir}; never holds more than {@code limit} entries in memory, however
   * big the directory. {@code cursor} is empty for the first page, else the {@link UfsListing#next()} of the
   * previous page of the same directory. Errors: NOT_FOUND, NOT_DIRECTORY, INVALID_ARGUMENT (limit < 1).
   */
  UfsListing list(UfsPath dir, String cursor, int limit) throws IOException;

  /**
   * Reads up to {@code length} bytes of file {@code path} from {@code offset} ({@code length < 0}: to the end). A
   * range past the end is cut at the end: an offset at or past it gives an empty stream. The caller closes the
   * stream; closing early does not read the rest. Errors: NOT_FOUND, IS_DIRECTORY, INVALID_ARGUMENT (offset < 0).
   * The stream may also be a {@link java.nio.channels.ReadableByteChannel} over the same range and position (the
   * local connector's is), for a reader with a direct buffer to read without the copies a {@code byte[]} costs.
   */
  InputStream open(UfsPath path, long offset, long length) throws IOException;

  /**
   * Opens like {@link #open} and says what the file was as it was opened, for a caller that must not trust bytes of
   * a file changed since it was listed (a block read through). A store that returns the file's status with the
   * bytes (S3: the GET's ETag, Last-Modified and Content-Range) answers with one request instead of the status call
   * and the read of this default. Empty when nothing is there; for a directory, or a range starting at or past the
   * file's end, the stream is empty and the status says why. Errors: INVALID_ARGUMENT (offset < 0).
   */
  default Optional<OpenedFile> openWithStatus(UfsPath path, long offset, long length) throws IOException {
    Optional<UfsStatus> status = getStatus(path);
    if (status.isEmpty()) {
      return Optional.empty();
    }
    UfsStatus s = status.get();
    if (s.isDirectory() || offset >= s.length() || length == 0) {
      if (offset < 0) {
        throw new UfsException(UfsException.Kind.INVALID_ARGUMENT, path.toString(), "negative offset " + offset);
      }
      return Optional.of(new OpenedFile(s, InputStream.nullInputStream()));
    }
    return Optional.of(new OpenedFile(s, open(path, offset, length)));
  }

  /**
   * Starts creating file {@code path}, invisible until the stream is closed (see {@link UfsOutputStream}). Missing
   * ancestors are created. Errors: ALREADY_EXISTS (a file is there and not {@code overwrite}), IS_DIRECTORY (a
   * directory is there), NOT_DIRECTORY (an ancestor is a file, where {@link UfsCapability#DIRECTORIES}),
   * INVALID_ARGUMENT (the root). Without {@code overwrite}, the check is made here; a file that another writer
   * creates before this one closes makes the close fail with ALREADY_EXISTS where the store can refuse atomically
   * (local, HDFS), and is replaced where it cannot (S3).
   */
  UfsOutputStream create(UfsPath path, boolean overwrite) throws IOException;

  /**
   * Deletes a file, or a directory: an empty one, or with {@code recursive} everything under it. Errors: NOT_FOUND,
   * NOT_EMPTY (a non-empty directory without {@code recursive}), INVALID_ARGUMENT (the root).
   */
  void delete(UfsPath path, boolean recursive) throws IOException;

  /**
   * Moves a file or directory to {@code dst}, which must not exist; missing ancestors of {@code dst} are created.
   * Atomic where {@link UfsCapability#ATOMIC_RENAME}; without it files are copied then deleted and directories cannot
   * be renamed. Errors: NOT_FOUND, ALREADY_EXISTS, UNSUPPORTED (a directory without ATOMIC_RENAME),
   * INVALID_ARGUMENT (the root, or {@code dst} inside {@code src}).
   */
  void rename(UfsPath src, UfsPath dst) throws IOException;

  /**
   * Makes directory {@code path} and its missing ancestors; succeeds if it already is a directory. Errors:
   * ALREADY_EXISTS (a file is there), NOT_DIRECTORY (an ancestor is a file, where {@link UfsCapability#DIRECTORIES}).
   */
  void mkdirs(UfsPath path) throws IOException;
}
