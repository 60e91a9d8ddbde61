package io.sluice.cli;

import io.sluice.common.conf.SluiceConf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Options every command shares: where the configuration is and command-line overrides. The configuration is
 * {@code $SLUICE_CONF_DIR/sluice.properties} (default {@code $SLUICE_HOME/conf}), then environment, then
 * {@code -D} system properties, then {@code --conf key=value} (DESIGN §7).
 */
public final class ConfOptions {
  @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "Set a configuration key (repeatable).")
  Map<String, String> overrides = new LinkedHashMap<>();

  /** The effective configuration. */
  public SluiceConf load() {
    try {
      SluiceConf conf = SluiceConf.load(confFile());
      for (Map.Entry<String, String> e : overrides.entrySet()) {
        conf = conf.with(e.getKey(), e.getValue());
      }
      return conf;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read configuration " + confFile() + ": " + e.getMessage(), e);
    }
  }

  /** The {@code --conf} overrides given, in order; a background role started by {@code --daemon} gets the same. */
  public Map<String, String> overrides() {
    return Map.copyOf(overrides);
  }

  static Path confFile() {
    return confDir().resolve("sluice.properties");
  }

  /** {@code $SLUICE_CONF_DIR}, default {@code $SLUICE_HOME/conf}: where sluice.properties, masters, workers are. */
  public static Path confDir() {
    String dir = System.getenv("SLUICE_CONF_DIR");
    if (dir == null || dir.isEmpty()) {
      dir = Path.of(System.getProperty("sluice.home", "."), "conf").toString();
    }
    return Path.of(dir).toAbsolutePath().normalize();
  }
}
