package io.sluice.common.conf;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * A typed configuration key: its name, its default (as the text a user would write) and what it means.
 * Keys are constants in one small keys class per module ({@code MasterKeys}, {@code WorkerKeys}, ...), each
 * documented where it is defined. The value is parsed once, by the key's parser, when it is read.
 *
 * <p>A <em>sensitive</em> key ({@link #secret}) holds a credential: its value is never shown. Whatever prints
 * configuration goes through {@link SluiceConf#displayText} or {@link SluiceConf#toString()}, which put
 * {@link #REDACTED} in its place, and a bad value's error message does not echo it.
 *
 * @param <T> the value type
 */
public final class ConfigKey<T> {
  /** What is shown instead of a sensitive key's value. */
  public static final String REDACTED = "<redacted>";

  private final String name;
  private final String defaultText;
  private final String doc;
  private final Function<String, T> parser;
  private final boolean sensitive;

  private ConfigKey(String name, String defaultText, String doc, Function<String, T> parser) {
    this(name, defaultText, doc, parser, false);
  }

  private ConfigKey(String name, String defaultText, String doc, Function<String, T> parser, boolean sensitive) {
    if (!name.startsWith("sluice.")) {
      throw new IllegalArgumentException("config keys start with 'sluice.': " + name);
    }
    this.name = name;
    this.defaultText = Objects.requireNonNull(defaultText, name);
    this.doc = doc;
    this.parser = parser;
    this.sensitive = sensitive;
    KeyRegistry.register(this);
  }

  /** A free-form string. */
  public static ConfigKey<String> string(String name, String def, String doc) {
    return new ConfigKey<>(name, def, doc, s -> s);
  }

  /** A sensitive string (a credential), empty by default: its value is never shown or logged. */
  public static ConfigKey<String> secret(String name, String doc) {
    return new ConfigKey<>(name, "", doc, s -> s, true);
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

  /** Whether the value is a credential that must never be shown (see the class comment). */
  public boolean isSensitive() {
    return sensitive;
  }

  /** {@code text} as it may be shown: itself, or {@link #REDACTED} for a sensitive key that is set. */
  public String display(String text) {
    return sensitive && !text.isEmpty() ? REDACTED : text;
  }

  /** Parses {@code text} as this key's type; a bad value names the key. */
  T parse(String text) {
    try {
      return parser.apply(text);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("bad value for " + name + ": '" + display(text) + "'"
          + (sensitive ? "" : " (" + e.getMessage() + ")"), e);
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
