package io.sluice.cli.mount;

import io.sluice.cli.Stdout;
import io.sluice.cli.fs.FsPaths;
import io.sluice.client.SluiceClient;
import io.sluice.common.proto.FreeResponse;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code sluice free PATH}: drops the cached blocks of UFS-backed files; their metadata stays. */
@Command(name = "free", description = "Drop cached blocks of UFS-backed files under PATH (the UFS keeps the data).")
public final class FreeCommand implements Callable<Integer> {
  @Mixin
  MountGroup ctx;

  @Parameters(paramLabel = "PATH", description = "File or directory under a mount.")
  String path;

  @picocli.CommandLine.Option(names = "--force",
      description = "Free pinned files too (they stay pinned); without it a pinned file fails the free.")
  boolean force;

  @Override
  public Integer call() {
    path = FsPaths.clean(path);
    FreeResponse r;
    try (SluiceClient client = ctx.connect()) {
      r = client.free(path, force);
    } catch (IOException e) {
      throw MountGroup.failure(path, e);
    }
    var out = Stdout.writer();
    out.printf("freed %d blocks of %d files under %s%n", r.getBlocks(), r.getFiles(), path);
    if (r.getSkippedFiles() > 0) {
      out.printf("kept %d files whose data is only in Sluice%n", r.getSkippedFiles());
    }
    out.flush();
    return 0;
  }
}
