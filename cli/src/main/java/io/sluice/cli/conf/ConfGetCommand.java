package io.sluice.cli.conf;

import io.sluice.cli.CliException;
import io.sluice.cli.ConfOptions;
import io.sluice.cli.JsonOutput;
import io.sluice.cli.OutputOptions;
import io.sluice.cli.Stdout;
import io.sluice.common.conf.ConfigKey;
import io.sluice.common.conf.SluiceConf;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice conf get KEY}: the value this command line would use for KEY and where it comes from: {@code default},
 * the configuration file's path, {@code env SLUICE_...}, {@code -Dsluice...}, or {@code override} (a
 * {@code --conf KEY=VALUE}). A sensitive key's value (the shared secret) shows as {@code <redacted>} when set. Exit 1
 * for a name that no module defines (likely a typo).
 */
@Command(name = "get", description = "Show a configuration key's effective value and its source.")
public final class ConfGetCommand implements Callable<Integer> {
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
    String value = conf.displayText(k);
    String source = conf.source(k);
    PrintWriter out = Stdout.writer();
    if (output.json()) {
      out.println(JsonOutput.object().put("key", key).put("value", value).put("source", source)
          .put("default", k.display(k.defaultText())));
    } else {
      out.printf("%s = %s (%s)%n", key, value, source);
    }
    out.flush();
    return 0;
  }

  private static Optional<ConfigKey<?>> knownKey(String name) {
    return KnownKeys.all().stream().filter(k -> k.name().equals(name)).findFirst();
  }
}
