package io.sluice.fuse;

import java.nio.charset.StandardCharsets;
import ru.serce.jnrfuse.ErrorCodes;

/**
 * Checks a name a callback is about to make (create, mkdir, symlink, link, the target of a rename) the way a local
 * file system would refuse it, before the master sees it.
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

  /**
   * For a lookup too: a local file system answers ENAMETOOLONG for a name that could not exist, where the master
   * would say INVALID_ARGUMENT (EINVAL). @throws ErrnoException ENAMETOOLONG
   */
  static void checkLength(String path) throws ErrnoException {
    int start = path.lastIndexOf('/') + 1;
    // A UTF-16 unit is at most 3 bytes of UTF-8, so only a name of over 85 units needs counting.
    if (path.length() - start > NAME_MAX / 3
        && path.substring(start).getBytes(StandardCharsets.UTF_8).length > NAME_MAX) {
      throw new ErrnoException(ErrorCodes.ENAMETOOLONG(), "name longer than " + NAME_MAX + " bytes: " + path);
    }
  }

  /** A symbolic link's target, kept as text too. @throws ErrnoException EILSEQ when it was not UTF-8 */
  static void checkText(String text) throws ErrnoException {
    if (text.indexOf('\uFFFD') >= 0) {
      throw new ErrnoException(ErrorCodes.EILSEQ(), "not UTF-8 (Sluice names are UTF-8 text): " + text);
    }
  }
}
