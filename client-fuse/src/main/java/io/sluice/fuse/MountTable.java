package io.sluice.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The kernel's table of mounts ({@code /proc/self/mounts}), to tell whether a directory is a mount point. */
public final class MountTable {
  private static final Path MOUNTS = Path.of("/proc/self/mounts");

  private MountTable() {}

  /** Whether {@code dir} (absolute, normalized) is a mount point now. */
  public static boolean isMounted(Path dir) {
    String want = dir.toAbsolutePath().normalize().toString();
    try {
      for (String line : Files.readAllLines(MOUNTS, StandardCharsets.UTF_8)) {
        String[] f = line.split(" ");
        if (f.length > 1 && unescape(f[1]).equals(want)) {
          return true;
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  /** The kernel writes space, tab, newline and backslash in a mount point as {@code \ooo} octal escapes. */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && isOctal(s, i + 1)) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static boolean isOctal(String s, int from) {
    if (from + 3 > s.length()) {
      return false;
    }
    for (int i = from; i < from + 3; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '7') {
        return false;
      }
    }
    return true;
  }
}
