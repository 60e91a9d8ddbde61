package io.sluice.cli.mount;

import java.util.List;
import java.util.Locale;

/**
 * Decides which connector option values the CLI never prints: those whose key names a secret (contains secret,
 * password, key, token or credential, in any case). Broad on purpose: printing {@code ****} for a harmless value
 * costs nothing, printing a credential to a terminal or a log cannot be undone.
 */
final class SecretMask {
  static final String MASK = "****";
  private static final List<String> SECRET_WORDS = List.of("secret", "password", "key", "token", "credential");

  private SecretMask() {}

  static boolean isSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return SECRET_WORDS.stream().anyMatch(k::contains);
  }

  /** {@code value}, or {@link #MASK} when {@code key} names a secret. */
  static String value(String key, String value) {
    return isSecret(key) ? MASK : value;
  }
}
