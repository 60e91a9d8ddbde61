package io.sluice.cli.conf;

import io.sluice.cli.CliException;
import io.sluice.cli.ConfOptions;
import io.sluice.cli.JsonOutput;
import io.sluice.cli.OutputOptions;
import io.sluice.cli.Stdout;
import io.sluice.client.ClientKeys;
import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.ConfigKey;
import io.sluice.common.conf.KeyRegistry;
import io.sluice.common.conf.SluiceConf;
import io.sluice.fuse.FuseKeys;
import io.sluice.master.MasterKeys;
import io.sluice.master.security.SecurityKeys;
import io.sluice.worker.WorkerKeys;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice conf get KEY}: the value this command line would use for KEY and where it comes from: {@code default},
 * the configuration file's path, {@code env SLUICE_...}, {@code -Dsluice...}, or {@code override} (a
 * {@code --conf KEY=VALUE}). Exit 1 for a name that no module defines (likely a typo).
 */
@Command(name = "get", description = "Show a configuration key's effective value and its source.")
public final class ConfGetCommand implements Callable<Integer> {
  /** The classes defining keys: a key registers when its class initializes, which mentioning it does not do. */
  private static final List<Class<?>> KEY_CLASSES = List.of(CommonKeys.class, ClientKeys.class, MasterKeys.class,
      SecurityKeys.class, WorkerKeys.class, FuseKeys.class);

  @Mixin
  ConfOptions confOptions;

  @Mixin
  OutputOptions output;

  @Parameters(paramLabel = "KEY", description = "e.g. sluice.master.addresses")
  String key;

  @Override
  public Integer call() {
    SluiceConf conf = confOptions.load();
    ConfigKey<?> k = knownKey(key).orElseThrow(() -> new CliException(key, "no such configuration key"
        + (conf.explicitValues().containsKey(key) ? " (it is set, but nothing reads it: a typo?)" : "")));
    String value = conf.explicitValues().getOrDefault(key, k.defaultText());
    String source = conf.source(k);
    PrintWriter out = Stdout.writer();
    if (output.json()) {
      out.println(JsonOutput.object().put("key", key).put("value", value).put("source", source)
          .put("default", k.defaultText()));
    } else {
      out.printf("%s = %s (%s)%n", key, value, source);
    }
    out.flush();
    return 0;
  }

  private static Optional<ConfigKey<?>> knownKey(String name) {
    for (Class<?> c : KEY_CLASSES) {
      try {
        Class.forName(c.getName(), true, c.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException("cannot initialize " + c.getName(), e);  // it was just loaded
      }
    }
    return KeyRegistry.known().stream().filter(k -> k.name().equals(name)).findFirst();
  }
}
