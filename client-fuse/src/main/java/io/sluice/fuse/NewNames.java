package io.sluice.fuse;

import java.nio.charset.StandardCharsets;
import ru.serce.jnrfuse.ErrorCodes;

/**
 * Checks a name a callback is about to make (create, mkdir, symlink, link, an xattr's name; a rename's target only
 * for its length) the way a local file system would refuse it, before the master sees it.
 *
 * <p>Sluice names are Unicode text (the master keeps them as strings; S3 keys and HDFS paths are UTF-8 too), and jnr
 * decodes the bytes libfuse passes as UTF-8, turning each invalid sequence into U+FFFD. So {@code caf\xe9} and
 * {@code caf\xe8} (Latin-1) would arrive as the same name and be one file. A name with U+FFFD in it is refused with
 * EILSEQ, as file systems that keep names in UTF-8 do. The price: the character U+FFFD itself, validly encoded, cannot
 * be part of a name made through a mount.
 */
final class NewNames {
  /** NAME_MAX: the longest name, in bytes, a Linux file system takes. */
  static final int NAME_MAX = 255;

  private NewNames() {}

  /** @throws ErrnoException EILSEQ for a name that was not UTF-8, ENAMETOOLONG for one over {@link #NAME_MAX} */
  static void check(String path) throws ErrnoException {
    checkText(path.substring(path.lastIndexOf('/') + 1));
    checkLength(path);
  }

  /** @throws ErrnoException ENAMETOOLONG for a name over {@link #NAME_MAX} bytes */
  static void checkLength(String path) throws ErrnoException {
    if (tooLong(path)) {
      throw new ErrnoException(ErrorCodes.ENAMETOOLONG(), "name longer than " + NAME_MAX + " bytes: " + path);
    }
  }

  /**
   * Before a lookup asks the master, which says INVALID_ARGUMENT (EINVAL) for a name it could never hold: a local file
   * system says ENAMETOOLONG. Unless the name was not UTF-8 (each bad byte counts 3 as U+FFFD): it names nothing
   * (ENOENT), so that the create the kernel sends next is refused for what is wrong with it, with EILSEQ.
   *
   * @throws ErrnoException ENAMETOOLONG, ENOENT
   */
  static void checkLookup(String path) throws ErrnoException {
    if (tooLong(path)) {
      boolean utf8 = path.indexOf('\uFFFD', path.lastIndexOf('/') + 1) < 0;
      throw new ErrnoException(utf8 ? ErrorCodes.ENAMETOOLONG() : ErrorCodes.ENOENT(),
          (utf8 ? "name longer than " + NAME_MAX + " bytes: " : "no such name (not UTF-8): ") + path);
    }
  }

  private static boolean tooLong(String path) {
    int start = path.lastIndexOf('/') + 1;
    // A UTF-16 unit is at most 3 bytes of UTF-8, so only a name of over 85 units needs counting.
    return path.length() - start > NAME_MAX / 3
        && path.substring(start).getBytes(StandardCharsets.UTF_8).length > NAME_MAX;
  }

  /** A symbolic link's target, kept as text too. @throws ErrnoException EILSEQ when it was not UTF-8 */
  static void checkText(String text) throws ErrnoException {
    if (text.indexOf('\uFFFD') >= 0) {
      throw new ErrnoException(ErrorCodes.EILSEQ(), "not UTF-8 (Sluice names are UTF-8 text): " + text);
    }
  }
}
