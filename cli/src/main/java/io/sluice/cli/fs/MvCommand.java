package io.sluice.cli.fs;

import io.sluice.client.SluiceClient;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code sluice fs mv SRC DST}: an atomic rename. */
@Command(name = "mv", description = "Rename a file or directory.")
public final class MvCommand implements Callable<Integer> {
  @Mixin
  FsContext ctx;

  @Parameters(index = "0", paramLabel = "SRC")
  String src;

  @Parameters(index = "1", paramLabel = "DST")
  String dst;

  @Override
  public Integer call() {
    try (SluiceClient client = ctx.connect()) {
      client.rename(FsPaths.clean(src), FsPaths.clean(dst));
    } catch (IOException e) {
      throw FsContext.failure(src, e);
    }
    return 0;
  }
}
