package io.sluice.ufs;

import java.io.InputStream;
import java.util.Objects;

/**
 * A file opened for reading together with what it was when it was opened ({@link UnderFileSystem#openWithStatus}).
 *
 * @param status the file's status as of the read: a caller checking the file is unchanged checks this one, and
 *     closes {@code in} unread when it is not what it expected
 * @param in the requested range; empty when {@code status} is a directory or the file is too short for the range
 */
public record OpenedFile(UfsStatus status, InputStream in) {
  public OpenedFile {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(in, "in");
  }
}
