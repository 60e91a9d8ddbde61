package io.sluice.cli.cluster;

import io.sluice.cli.CliException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A hosts file ({@code conf/masters}, {@code conf/workers}): one host per line; {@code #} starts a comment, blank
 * lines are ignored, a host listed twice counts once.
 */
final class HostList {
  private HostList() {}

  static List<String> read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new CliException(file.toString(), "no such hosts file (one host per line)");
    }
    List<String> hosts = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file)) {
        int hash = line.indexOf('#');
        String host = (hash >= 0 ? line.substring(0, hash) : line).strip();
        if (!host.isEmpty() && !hosts.contains(host)) {
          hosts.add(host);
        }
      }
    } catch (IOException e) {
      throw new CliException(file.toString(), e);
    }
    return hosts;
  }
}
