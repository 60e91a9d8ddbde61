package io.sluice.common.auth;

import io.sluice.common.conf.CommonKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Reads a secret from a file that only its owner may read, as ssh does for a private key: a secret in a file
 * that other local users can read is no longer a secret, so a process refuses to start rather than use it.
 */
final class SecretFile {
  private static final Set<PosixFilePermission> OWNER_ONLY =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

  private SecretFile() {}

  /**
   * The file's contents, trimmed.
   *
   * @throws IllegalArgumentException when the file is missing, unreadable, empty, or grants group or others any
   *     access (on a file system with POSIX permissions)
   */
  static String read(Path file) {
    String key = CommonKeys.SECURITY_SECRET_FILE.name();
    try {
      if (Files.getFileAttributeView(file, PosixFileAttributeView.class) != null) {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (!OWNER_ONLY.containsAll(perms)) {
          throw new IllegalArgumentException(key + " " + file + " is accessible by group or others ("
              + PosixFilePermissions.toString(perms) + "); allow only its owner: chmod 600 " + file);
        }
      }
      String secret = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (secret.isEmpty()) {
        throw new IllegalArgumentException(key + " " + file + " is empty");
      }
      return secret;
    } catch (IOException e) {
      throw new IllegalArgumentException(key + ": cannot read " + file + ": " + e, e);
    }
  }
}
