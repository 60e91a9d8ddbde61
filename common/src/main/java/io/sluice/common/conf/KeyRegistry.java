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

  /** Keys whose class has been loaded, in name order. */
  public static synchronized Collection<ConfigKey<?>> known() {
    return java.util.List.copyOf(KEYS.values());
  }

}
