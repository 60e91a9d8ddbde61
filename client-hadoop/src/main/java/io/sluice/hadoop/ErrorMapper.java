package io.sluice.hadoop;

import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.FileNotFoundException;
import java.io.IOException;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.ParentNotDirectoryException;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.PathIsDirectoryException;
import org.apache.hadoop.fs.PathIsNotEmptyDirectoryException;
import org.apache.hadoop.security.AccessControlException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a Sluice {@link Status} becomes the exception Hadoop callers expect (DESIGN §6, STYLE 11). The
 * Sluice error is kept as the cause; messages are Sluice's, which name the path.
 *
 * <p>Two statuses depend on what the caller was doing, as they do in HDFS:
 * <ul>
 *   <li>NOT_DIRECTORY: a lookup through a file ({@code /file/x}) finds nothing, so {@link #lookup} answers
 *       {@link FileNotFoundException} (which {@code exists()} relies on); creating under a file is a
 *       {@link ParentNotDirectoryException}.
 *   <li>IS_DIRECTORY: opening a directory is {@link FileNotFoundException} ({@link #lookup}); creating a file over
 *       one is {@link FileAlreadyExistsException} ({@link #create}).
 * </ul>
 *
 * <p>Changing a file in place (append, truncate: {@link #edit}) adds two: STALE, another writer changed the same
 * blocks or the length first, is an {@link IOException} saying the changes were not applied; INVALID_ARGUMENT, a
 * file the master will not change in place (still being written, a symbolic link), is an {@link IOException} too,
 * since the caller's arguments were fine. A file under a mount is not mapped here: telling it apart needs the
 * file's status, so {@link EditCalls} makes it an {@link UnsupportedOperationException}
 * ({@link #underMount}).
 */
final class ErrorMapper {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

  private ErrorMapper() {}

  /** For namespace changes (mkdirs, delete, setPermission, ...): the general mapping. */
  static IOException map(RpcException e, Path path) {
    LOG.debug("{} on {}: {}", e.status(), path, e.getMessage());
    IOException mapped = switch (e.status()) {
      case NOT_FOUND -> new FileNotFoundException(e.getMessage());
      case ALREADY_EXISTS -> new FileAlreadyExistsException(e.getMessage());
      case PERMISSION_DENIED -> new AccessControlException(e.getMessage());
      case NOT_EMPTY -> new PathIsNotEmptyDirectoryException(path.toString());
      case NOT_DIRECTORY -> new ParentNotDirectoryException(e.getMessage());
      case IS_DIRECTORY -> new PathIsDirectoryException(path.toString());
      // Thrown, not returned: a RuntimeException cannot be an IOException.
      case INVALID_ARGUMENT -> throw new IllegalArgumentException(e.getMessage(), e);
      default -> new IOException(e.status() + ": " + e.getMessage());
    };
    mapped.initCause(e);
    return mapped;
  }

  /** For reads (getFileStatus, listStatus, open): a path through a file, or a directory opened, is not found. */
  static IOException lookup(RpcException e, Path path) {
    if (e.status() == Status.NOT_DIRECTORY || e.status() == Status.IS_DIRECTORY) {
      LOG.debug("{} on {}: {}", e.status(), path, e.getMessage());
      return withCause(new FileNotFoundException(e.getMessage()), e);
    }
    return map(e, path);
  }

  /** For create: a directory in the way is an existing path, not a wrong file type. */
  static IOException create(RpcException e, Path path) {
    if (e.status() == Status.IS_DIRECTORY) {
      LOG.debug("{} on {}: {}", e.status(), path, e.getMessage());
      return withCause(new FileAlreadyExistsException(path + " is a directory (" + e.getMessage() + ")"), e);
    }
    return map(e, path);
  }

  /**
   * For append and truncate: a directory (or a path through a file) is not a file to change, which HDFS reports as
   * {@link FileNotFoundException} ("Path is not a file"); see the class comment for STALE and INVALID_ARGUMENT.
   */
  static IOException edit(RpcException e, Path path) {
    return switch (e.status()) {
      case NOT_DIRECTORY, IS_DIRECTORY -> lookup(e, path);
      case STALE -> {
        LOG.debug("{} on {}: {}", e.status(), path, e.getMessage());
        yield withCause(new IOException(path + ": not changed, another writer changed the same part of the file "
            + "first; reopen it and retry (" + e.getMessage() + ")"), e);
      }
      case INVALID_ARGUMENT -> {
        LOG.debug("{} on {}: {}", e.status(), path, e.getMessage());
        yield withCause(new IOException(path + ": cannot be changed in place: " + e.getMessage()), e);
      }
      default -> map(e, path);
    };
  }

  /**
   * For append and truncate of a file under a mount: its UFS copy can only be rewritten whole, so the operation is
   * unsupported there, as FileSystem's own {@code append} and {@code truncate} report it.
   */
  static UnsupportedOperationException underMount(RpcException e, Path path, String operation) {
    LOG.debug("{} on {} under a mount: {}", operation, path, e.getMessage());
    return new UnsupportedOperationException(path + ": " + operation + " is not supported under a mount; files "
        + "there can only be rewritten whole (create with overwrite)", e);
  }

  private static IOException withCause(IOException mapped, RpcException cause) {
    mapped.initCause(cause);
    return mapped;
  }
}
