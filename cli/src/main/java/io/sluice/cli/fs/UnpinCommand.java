package io.sluice.cli.fs;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice fs unpin PATH...}: the blocks of the files at or under each path may be evicted again, unless a
 * directory above is still pinned or the file is Sluice-native (its blocks are always kept: the only copy).
 */
@Command(name = "unpin", description = "Let the files at or under each PATH be evicted again (undoes fs pin).")
public final class UnpinCommand implements Callable<Integer> {
  @Mixin
  FsContext ctx;

  @Parameters(paramLabel = "PATH", arity = "1..*")
  List<String> paths;

  @Override
  public Integer call() {
    return PinCommand.setPinned(ctx, paths, false);
  }
}
