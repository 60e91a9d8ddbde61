package io.sluice.fuse;

import java.util.Locale;

/**
 * The FUSE callbacks this mount serves, as they are named in the {@code op} tag of {@link FuseOpMetrics}, and
 * {@code COMPLETE}: a released new file's completion, which runs after its RELEASE was answered
 * ({@link BackgroundCompletions}).
 */
enum FuseOp {
  GETATTR, FGETATTR, MKDIR, RMDIR, UNLINK, RENAME, CHMOD, CHOWN, UTIMENS, SYMLINK, LINK, READLINK,
  SETXATTR, GETXATTR, LISTXATTR, REMOVEXATTR, CREATE, OPEN, READ, WRITE, FLUSH, FSYNC, RELEASE, TRUNCATE, FTRUNCATE,
  OPENDIR, READDIR, RELEASEDIR, STATFS, ACCESS, COMPLETE;

  private final String tag = name().toLowerCase(Locale.ROOT);

  /** The libfuse name of the callback, e.g. {@code getattr}. */
  String tag() {
    return tag;
  }
}
