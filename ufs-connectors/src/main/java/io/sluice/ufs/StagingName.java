package io.sluice.ufs;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Names of the hidden sibling files that stores with {@link UfsCapability#ATOMIC_RENAME} write a new file into before
 * renaming it into place ({@link UfsOutputStream}'s visible-on-close promise). Listings skip them, so a file being
 * written never shows up, not even under another name; a crash can leave one behind, to be cleaned up by name.
 */
public final class StagingName {
  private static final String MARK = ".sluice-staging-";
  private static final Pattern STAGING = Pattern.compile("\\..*\\.sluice-staging-[0-9a-f]{32}");

  private StagingName() {}

  /** A fresh staging name for a file named {@code name}. */
  public static String forName(String name) {
    return "." + name + MARK + UUID.randomUUID().toString().replace("-", "");
  }

  /** Whether {@code name} is a staging name, which listings do not show. */
  public static boolean isStaging(String name) {
    return name.contains(MARK) && STAGING.matcher(name).matches();
  }
}
