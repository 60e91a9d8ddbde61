package io.sluice.common.conf;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An immutable set of configuration values. Sources, later wins (DESIGN §7): each key's built-in default,
 * {@code conf/sluice.properties}, environment variables {@code SLUICE_A_B} for {@code sluice.a.b}, then JVM system
 * properties ({@code -Dsluice.a.b=...}) and command-line overrides. Values are parsed once per key.
 */
public final class SluiceConf {
  /** Environment variables of the launcher itself, not configuration keys. */
  private static final Set<String> LAUNCHER_ENV =
      Set.of("SLUICE_HOME", "SLUICE_CONF_DIR", "SLUICE_LOG_DIR", "SLUICE_JAVA_OPTS", "SLUICE_REQUIRE_FUSE");

  private final Map<String, String> values;
  private final Map<String, String> sources;
  private final Map<String, Object> parsed = new ConcurrentHashMap<>();

  private SluiceConf(Map<String, String> values, Map<String, String> sources) {
    this.values = Map.copyOf(values);
    this.sources = Map.copyOf(sources);
  }

  /** Only the keys' built-in defaults. */
  public static SluiceConf defaults() {
    return new SluiceConf(Map.of(), Map.of());
  }

  /**
   * Loads from {@code confFile} (may be absent), the process environment and the system properties.
   *
   * @throws IOException when the file exists but cannot be read
   */
  public static SluiceConf load(Path confFile) throws IOException {
    return load(confFile, System.getenv(), System.getProperties());
  }

  /** As {@link #load(Path)}, with the environment and system properties given (tests). */
  public static SluiceConf load(Path confFile, Map<String, String> env, Properties sysProps) throws IOException {
    Map<String, String> values = new HashMap<>();
    Map<String, String> sources = new HashMap<>();
    if (confFile != null && Files.isRegularFile(confFile)) {
      Properties file = new Properties();
      try (Reader r = Files.newBufferedReader(confFile, StandardCharsets.UTF_8)) {
        file.load(r);
      }
      for (String name : file.stringPropertyNames()) {
        put(values, sources, name, file.getProperty(name).trim(), confFile.toString());
      }
    }
    env.forEach((k, v) -> {
      if (k.startsWith("SLUICE_") && !LAUNCHER_ENV.contains(k)) {
        put(values, sources, k.toLowerCase(Locale.ROOT).replace('_', '.'), v, "env " + k);
      }
    });
    for (String name : sysProps.stringPropertyNames()) {
      if (name.startsWith("sluice.")) {
        put(values, sources, name, sysProps.getProperty(name), "-D" + name);
      }
    }
    return new SluiceConf(values, sources);
  }

  private static void put(Map<String, String> values, Map<String, String> sources, String name, String v, String src) {
    values.put(name, v);
    sources.put(name, src);
  }

  /** A copy with {@code name} set to {@code value} (command-line overrides and tests). */
  public SluiceConf with(String name, String value) {
    Map<String, String> v = new HashMap<>(values);
    Map<String, String> s = new HashMap<>(sources);
    v.put(name, value);
    s.put(name, "override");
    return new SluiceConf(v, s);
  }

  /** A copy with {@code key} set to {@code value}. */
  public SluiceConf with(ConfigKey<?> key, String value) {
    return with(key.name(), value);
  }

  /**
   * The key's value from the highest source that sets it, else its default.
   *
   * @throws IllegalArgumentException when the value does not parse; the message names the key and its source
   */
  @SuppressWarnings("unchecked")
  public <T> T get(ConfigKey<T> key) {
    return (T) parsed.computeIfAbsent(key.name(), n -> {
      String text = values.get(n);
      if (text == null) {
        return key.parse(key.defaultText());
      }
      try {
        return key.parse(text);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(e.getMessage() + " from " + sources.get(n), e);
      }
    });
  }

  /** Whether any source other than the default sets {@code key}. */
  public boolean isSet(ConfigKey<?> key) {
    return values.containsKey(key.name());
  }

  /** Where the value of {@code key} comes from: a file path, {@code env NAME}, {@code -Dname}, or {@code default}. */
  public String source(ConfigKey<?> key) {
    return sources.getOrDefault(key.name(), "default");
  }

  /**
   * Every explicitly set {@code sluice.*} name and value, for passing configuration to a child process. The values
   * are raw, sensitive ones included: to show them, use {@link #displayValues()}.
   */
  public Map<String, String> explicitValues() {
    return values;
  }

  /**
   * The text of {@code key}'s effective value as it may be shown to a user or written to a log: the value of the
   * highest source, else the default, with a sensitive key's value replaced by {@link ConfigKey#REDACTED}.
   */
  public String displayText(ConfigKey<?> key) {
    return key.display(values.getOrDefault(key.name(), key.defaultText()));
  }

  /** As {@link #explicitValues()}, in name order, each sensitive value replaced ({@link KeyRegistry#isSensitive}). */
  public Map<String, String> displayValues() {
    Map<String, String> shown = new java.util.TreeMap<>();
    values.forEach((n, v) -> shown.put(n, KeyRegistry.isSensitive(n) && !v.isEmpty() ? ConfigKey.REDACTED : v));
    return shown;
  }

  /** The explicitly set values, sensitive ones redacted, so that logging a configuration cannot leak a secret. */
  @Override
  public String toString() {
    return "SluiceConf" + displayValues();
  }
}
