package io.sluice.cli.fs;

import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;

/** Formats a file's type and permission bits as {@code ls -l} does ({@code drwxr-xr-x}, {@code drwxrwxrwt}). */
final class Modes {
  private Modes() {}

  static String format(FileInfo f) {
    StringBuilder b = new StringBuilder(10);
    b.append(f.getType() == FileType.DIRECTORY ? 'd' : f.getType() == FileType.SYMLINK ? 'l' : '-');
    String rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; i++) {
      b.append((f.getMode() & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
    }
    if ((f.getMode() & 01000) != 0) {
      // The sticky bit shows in the others' execute place: t with execute, T without (as ls).
      b.setCharAt(9, b.charAt(9) == 'x' ? 't' : 'T');
    }
    return b.toString();
  }
}
