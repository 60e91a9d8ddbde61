package io.sluice.cli.fs;

import io.sluice.cli.CliException;
import io.sluice.client.SluiceClient;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code sluice fs chmod MODE PATH...}, MODE in octal ({@code 755}, {@code 1777}). */
@Command(name = "chmod", description = "Change permission bits (octal MODE, e.g. 750 or 1777).")
public final class ChmodCommand implements Callable<Integer> {
  @Mixin
  FsContext ctx;

  @Parameters(index = "0", paramLabel = "MODE")
  String mode;

  @Parameters(index = "1..*", paramLabel = "PATH", arity = "1..*")
  List<String> paths;

  @Override
  public Integer call() {
    int bits = parse(mode);
    try (SluiceClient client = ctx.connect()) {
      for (String p : paths) {
        try {
          client.setMode(FsPaths.clean(p), bits);
        } catch (IOException e) {
          throw FsContext.failure(p, e);
        }
      }
    }
    return 0;
  }

  static int parse(String mode) {
    if (!mode.matches("[0-7]{1,4}")) {
      throw new CliException("invalid mode '" + mode + "': octal digits expected, e.g. 755 or 1777");
    }
    return Integer.parseInt(mode, 8);
  }
}
