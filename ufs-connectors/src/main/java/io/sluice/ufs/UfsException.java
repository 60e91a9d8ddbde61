package io.sluice.ufs;

import io.sluice.common.proto.Status;
import java.io.IOException;

/**
 * A failed UFS operation, with the {@link Kind} a caller needs to answer its own client (mapped to a Sluice
 * {@link Status} by {@link Kind#status()}) and the UFS-relative path it concerns (empty when none). Connectors
 * translate their store's errors into kinds in one place each; anything they cannot classify is
 * {@link Kind#IO_ERROR}.
 */
public class UfsException extends IOException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, independent of the store. */
  public enum Kind {
    NOT_FOUND(Status.NOT_FOUND),
    ALREADY_EXISTS(Status.ALREADY_EXISTS),
    NOT_EMPTY(Status.NOT_EMPTY),
    NOT_DIRECTORY(Status.NOT_DIRECTORY),
    IS_DIRECTORY(Status.IS_DIRECTORY),
    PERMISSION_DENIED(Status.PERMISSION_DENIED),
    /** A path that is malformed or would escape the mounted root, or a bad option. */
    INVALID_ARGUMENT(Status.INVALID_ARGUMENT),
    /** The store cannot do this (e.g. renaming a directory on S3): see {@link UfsCapability}. */
    UNSUPPORTED(Status.UFS_ERROR),
    /** The store could not be reached or throttled us; a retry later may succeed. */
    UNAVAILABLE(Status.UNAVAILABLE),
    NO_SPACE(Status.NO_SPACE),
    /** Any other failure of the store. */
    IO_ERROR(Status.UFS_ERROR);

    private final Status status;

    Kind(Status status) {
      this.status = status;
    }

    /** The Sluice status code a server answers for this kind (DESIGN 6). */
    public Status status() {
      return status;
    }
  }

  private final Kind kind;
  private final String path;

  public UfsException(Kind kind, String path, String message) {
    super(describe(path, message));
    this.kind = kind;
    this.path = path == null ? "" : path;
  }

  public UfsException(Kind kind, String path, String message, Throwable cause) {
    super(describe(path, message), cause);
    this.kind = kind;
    this.path = path == null ? "" : path;
  }

  private static String describe(String path, String message) {
    return path == null ? message : "'" + path + "': " + message;
  }

  public Kind kind() {
    return kind;
  }

  /** The UFS-relative path the failure concerns, empty when none. */
  public String path() {
    return path;
  }

  /** Shorthand for {@code kind().status()}. */
  public Status status() {
    return kind.status();
  }
}
