package io.sluice.cli.fs;

import io.sluice.client.SluiceClient;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice fs mkdir [-p] PATH...}. */
@Command(name = "mkdir", description = "Create directories.")
public final class MkdirCommand implements Callable<Integer> {
  @Mixin
  FsContext ctx;

  @Option(names = "-p", description = "Create missing parents; an existing directory is no error.")
  boolean parents;

  @Parameters(paramLabel = "PATH", arity = "1..*")
  List<String> paths;

  @Override
  public Integer call() {
    try (SluiceClient client = ctx.connect()) {
      for (String p : paths) {
        try {
          client.mkdir(FsPaths.clean(p), parents);
        } catch (IOException e) {
          throw FsContext.failure(p, e);
        }
      }
    }
    return 0;
  }
}
