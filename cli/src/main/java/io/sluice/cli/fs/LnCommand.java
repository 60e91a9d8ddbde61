package io.sluice.cli.fs;

import io.sluice.client.SluiceClient;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice fs ln -s TARGET LINK}: a symbolic link. TARGET is stored as typed and not checked (as
 * {@code ln -s}); the cluster never follows links, clients resolve them.
 */
@Command(name = "ln", description = "Create a symbolic link LINK pointing at TARGET (-s is required).")
public final class LnCommand implements Callable<Integer> {
  @Mixin
  FsContext ctx;

  @Option(names = "-s", required = true, description = "Make a symbolic link (the only kind this command makes).")
  boolean symbolic;

  @Parameters(index = "0", paramLabel = "TARGET")
  String target;

  @Parameters(index = "1", paramLabel = "LINK")
  String link;

  @Override
  public Integer call() {
    try (SluiceClient client = ctx.connect()) {
      client.createSymlink(FsPaths.clean(link), target);
    } catch (IOException e) {
      throw FsContext.failure(link, e);
    }
    return 0;
  }
}
