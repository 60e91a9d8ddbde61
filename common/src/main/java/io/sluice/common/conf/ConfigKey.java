package io.sluice.common.conf;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * A typed configuration key: its name, its default (as the text a user would write) and what it means.
 * Keys are constants in one small keys class per module ({@code MasterKeys}, {@code WorkerKeys}, ...), each
 * documented where it is defined. The value is parsed once, by the key's parser, when it is read.
 *
 * @param <T> the value type
 */
public final class ConfigKey<T> {
  private final String name;
  private final String defaultText;
  private final String doc;
  private final Function<String, T> parser;

  private ConfigKey(String name, String defaultText, String doc, Function<String, T> parser) {
    if (!name.startsWith("sluice.")) {
      throw new IllegalArgumentException("config keys start with 'sluice.': " + name);
    }
    this.name = name;
    this.defaultText = Objects.requireNonNull(defaultText, name);
    this.doc = doc;
    this.parser = parser;
    KeyRegistry.register(this);
  }

  /** A free-form string. */
  public static ConfigKey<String> string(String name, String def, String doc) {
    return new ConfigKey<>(name, def, doc, s -> s);
  }

  /** A decimal integer. */
  public static ConfigKey<Integer> integer(String name, int def, String doc) {
    return new ConfigKey<>(name, Integer.toString(def), doc, s -> Integer.parseInt(s.trim()));
  }

  /** A byte size such as {@code 64m}, {@code 4g}, {@code 512k} or {@code 1024} (see {@link ByteSize}). */
  public static ConfigKey<Long> bytes(String name, String def, String doc) {
    return new ConfigKey<>(name, def, doc, ByteSize::parse);
  }

  /** A duration such as {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 7d} (see {@link Durations}). */
  public static ConfigKey<Duration> duration(String name, String def, String doc) {
    return new ConfigKey<>(name, def, doc, Durations::parse);
  }

  /** {@code true} or {@code false}. */
  public static ConfigKey<Boolean> bool(String name, boolean def, String doc) {
    return new ConfigKey<>(name, Boolean.toString(def), doc, ConfigKey::parseBool);
  }

  private static Boolean parseBool(String s) {
    String t = s.trim().toLowerCase(java.util.Locale.ROOT);
    if (t.equals("true")) {
      return Boolean.TRUE;
    }
    if (t.equals("false")) {
      return Boolean.FALSE;
    }
    throw new IllegalArgumentException("expected true or false, got '" + s + "'");
  }

  public String name() {
    return name;
  }

  public String defaultText() {
    return defaultText;
  }

  public String doc() {
    return doc;
  }

  /** Parses {@code text} as this key's type; a bad value names the key. */
  T parse(String text) {
    try {
      return parser.apply(text);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("bad value for " + name + ": '" + text + "' (" + e.getMessage() + ")", e);
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
