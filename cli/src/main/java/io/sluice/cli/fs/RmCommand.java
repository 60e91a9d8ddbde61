package io.sluice.cli.fs;

import io.sluice.client.SluiceClient;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice fs rm [-r] PATH...}. */
@Command(name = "rm", description = "Remove files, or directories with -r.")
public final class RmCommand implements Callable<Integer> {
  @Mixin
  FsContext ctx;

  @Option(names = {"-r", "-R"}, description = "Remove directories and their contents.")
  boolean recursive;

  @Parameters(paramLabel = "PATH", arity = "1..*")
  List<String> paths;

  @Override
  public Integer call() {
    try (SluiceClient client = ctx.connect()) {
      for (String p : paths) {
        try {
          client.delete(FsPaths.clean(p), recursive);
        } catch (IOException e) {
          throw FsContext.failure(p, e);
        }
      }
    }
    return 0;
  }
}
