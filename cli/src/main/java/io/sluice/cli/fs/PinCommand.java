package io.sluice.cli.fs;

import io.sluice.cli.Stdout;
import io.sluice.client.SluiceClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice fs pin PATH...} (Alluxio's {@code fs pin}): the workers never evict the blocks of a pinned file
 * (see {@link SluiceClient#setPinned}). A directory pins every file under it, also those created later.
 */
@Command(name = "pin", description = "Keep the files at or under each PATH cached: their blocks are never evicted.")
public final class PinCommand implements Callable<Integer> {
  @Mixin
  FsContext ctx;

  @Parameters(paramLabel = "PATH", arity = "1..*")
  List<String> paths;

  @Override
  public Integer call() {
    return setPinned(ctx, paths, true);
  }

  /** Pins or unpins each path in turn, saying so; the first failure ends it, naming its path. */
  static int setPinned(FsContext ctx, List<String> paths, boolean pinned) {
    PrintWriter out = Stdout.writer();
    try (SluiceClient client = ctx.connect()) {
      for (String p : paths) {
        String path = FsPaths.clean(p);
        try {
          client.setPinned(path, pinned);
        } catch (IOException e) {
          throw FsContext.failure(path, e);
        }
        out.printf("%s %s%n", pinned ? "pinned" : "unpinned", path);
      }
    }
    out.flush();
    return 0;
  }
}
