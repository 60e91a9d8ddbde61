package io.sluice.cli.mount;

import io.sluice.cli.fs.FsPaths;
import io.sluice.client.SluiceClient;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code sluice umount PATH}: drops the mount and what Sluice holds under it; the UFS is untouched. */
@Command(name = "umount", description = "Unmount a UFS; its data in the UFS is left as it is.")
public final class UmountCommand implements Callable<Integer> {
  @Mixin
  MountGroup ctx;

  @Parameters(paramLabel = "PATH", description = "Mount point.")
  String path;

  @Override
  public Integer call() {
    path = FsPaths.clean(path);
    try (SluiceClient client = ctx.connect()) {
      client.unmount(path);
    } catch (IOException e) {
      throw MountGroup.failure(path, e);
    }
    return 0;
  }
}
