package io.sluice.ufs;

import io.sluice.common.proto.UfsBlockSource;
import java.util.Optional;

/**
 * Whether a UFS file is still the one a block was cut from (DESIGN §4): the check made before reading a block of a
 * UFS-backed file, by a worker reading it through and by a client falling through to the UFS, so that a file's
 * blocks never mix old and new content.
 */
public final class BlockSourceCheck {
  private BlockSourceCheck() {}

  /**
   * Why {@code now} (the file's current status) is not what {@code src} was listed as: a directory now, another
   * fingerprint (when the listing had one), or too short for the block; empty when it still matches.
   */
  public static Optional<String> changed(UfsStatus now, UfsBlockSource src) {
    if (now.isDirectory()) {
      return Optional.of("it is now a directory");
    }
    if (!src.getFingerprint().isEmpty() && !src.getFingerprint().equals(now.fingerprint())) {
      return Optional.of("its fingerprint is now " + now.fingerprint() + ", not " + src.getFingerprint());
    }
    long blockEnd = src.getOffset() + src.getLength();
    if (now.length() < blockEnd) {
      return Optional.of("it has " + now.length() + " bytes but the block ends at " + blockEnd);
    }
    return Optional.empty();
  }
}
