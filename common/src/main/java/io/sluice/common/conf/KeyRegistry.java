package io.sluice.common.conf;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every {@link ConfigKey} created in this JVM, by name. It lets the loader warn about unknown {@code sluice.*} names
 * (usually typos) and lets tools list the keys with their defaults.
 */
public final class KeyRegistry {
  private static final Map<String, ConfigKey<?>> KEYS = new TreeMap<>();

  private KeyRegistry() {}

  static synchronized void register(ConfigKey<?> key) {
    ConfigKey<?> old = KEYS.putIfAbsent(key.name(), key);
    if (old != null && old != key) {
      throw new IllegalStateException("config key defined twice: " + key.name());
    }
  }

  /**
   * Whether the value set under {@code name} must not be shown: the key's own flag when a loaded class defines it,
   * else whether the name looks like a credential's. The fallback matters because a value may be set under a name
   * whose keys class is not loaded in this process (or under a misspelt name), and such a value is still printed
   * by whoever dumps the configuration.
   */
  public static synchronized boolean isSensitive(String name) {
    ConfigKey<?> key = KEYS.get(name);
    if (key != null) {
      return key.isSensitive();
    }
    String n = name.toLowerCase(java.util.Locale.ROOT);
    return n.contains("secret") || n.contains("password") || n.contains("token");
  }

  /** Keys whose class has been loaded, in name order. */
  public static synchronized Collection<ConfigKey<?>> known() {
    return java.util.List.copyOf(KEYS.values());
  }

}
