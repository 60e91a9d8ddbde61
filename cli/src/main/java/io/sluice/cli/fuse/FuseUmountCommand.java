package io.sluice.cli.fuse;

import io.sluice.cli.CliException;
import io.sluice.cli.Stdout;
import io.sluice.fuse.FuseMount;
import io.sluice.fuse.MountTable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice fuse umount DIR}: unmounts a Sluice mount, also one whose process died. The serving process, if
 * alive, then exits on its own. A busy mount is detached lazily.
 */
@Command(name = "umount", description = "Unmount a Sluice FUSE mount (also one whose process died).")
public final class FuseUmountCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "DIR", description = "Mount point.")
  Path dir;

  @Override
  public Integer call() {
    Path target = dir.toAbsolutePath().normalize();
    if (!MountTable.isMounted(target)) {
      throw new CliException(target.toString(), "not mounted");
    }
    try {
      FuseMount.unmount(target);
    } catch (IOException e) {
      throw new CliException(target.toString(), e.getMessage());
    }
    Stdout.writer().printf("Unmounted %s%n", target);
    return 0;
  }
}
