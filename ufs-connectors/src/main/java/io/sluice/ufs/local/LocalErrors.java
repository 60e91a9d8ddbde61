package io.sluice.ufs.local;

import io.sluice.ufs.UfsException;
import io.sluice.ufs.UfsException.Kind;
import io.sluice.ufs.UfsPath;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** Maps java.nio file errors to {@link UfsException} kinds: the one place the local connector classifies failures. */
final class LocalErrors {
  private LocalErrors() {}

  static UfsException translate(IOException e, UfsPath path) {
    if (e instanceof UfsException u) {
      return u;
    }
    String p = path.toString();
    if (e instanceof NoSuchFileException) {
      return new UfsException(Kind.NOT_FOUND, p, "no such file or directory", e);
    }
    if (e instanceof FileAlreadyExistsException) {
      return new UfsException(Kind.ALREADY_EXISTS, p, "already exists", e);
    }
    if (e instanceof DirectoryNotEmptyException) {
      return new UfsException(Kind.NOT_EMPTY, p, "directory not empty", e);
    }
    if (e instanceof NotDirectoryException) {
      return new UfsException(Kind.NOT_DIRECTORY, p, "not a directory", e);
    }
    if (e instanceof AccessDeniedException) {
      return new UfsException(Kind.PERMISSION_DENIED, p, "permission denied", e);
    }
    // Other errno values reach Java only as the reason text of a plain FileSystemException.
    if (e instanceof FileSystemException f && f.getReason() != null) {
      String reason = f.getReason();
      if (reason.contains("Not a directory")) {
        return new UfsException(Kind.NOT_DIRECTORY, p, "an ancestor is not a directory", e);
      }
      if (reason.contains("No space left")) {
        return new UfsException(Kind.NO_SPACE, p, "no space left on device", e);
      }
      if (reason.contains("Is a directory")) {
        return new UfsException(Kind.IS_DIRECTORY, p, "is a directory", e);
      }
    }
    return new UfsException(Kind.IO_ERROR, p, e.toString(), e);
  }
}
