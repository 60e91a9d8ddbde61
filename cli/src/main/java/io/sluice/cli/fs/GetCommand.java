package io.sluice.cli.fs;

import io.sluice.cli.CliException;
import io.sluice.cli.TransferProgress;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice fs get SRC LOCAL}: copies a file out; into LOCAL/NAME when LOCAL is a directory. The copy is
 * written beside the target and renamed into place, so a failed copy never leaves a partial file under the name.
 * Shows its progress on stderr ({@link TransferProgress}).
 */
@Command(name = "get", description = "Copy a file from Sluice to the local file system.")
public final class GetCommand implements Callable<Integer> {
  @Mixin
  FsContext ctx;

  @Parameters(index = "0", paramLabel = "SRC")
  String src;

  @Parameters(index = "1", paramLabel = "LOCAL")
  Path local;

  @Override
  public Integer call() {
    Path target = Files.isDirectory(local) ? local.resolve(Path.of(src).getFileName().toString()) : local;
    Path parent = target.toAbsolutePath().getParent();
    if (!Files.isDirectory(parent)) {
      throw new CliException(parent.toString(), "No such file or directory");
    }
    try (SluiceClient client = ctx.connect()) {
      Path tmp = Files.createTempFile(parent, "." + target.getFileName(), ".sluice-get");
      try (SluiceInputStream in = client.open(FsPaths.clean(src))) {
        TransferProgress progress = TransferProgress.onConsole(ctx.err(), in.length());
        Files.copy(progress.track(in), tmp, StandardCopyOption.REPLACE_EXISTING);
        progress.finish();
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        Files.deleteIfExists(tmp);
        throw FsContext.failure(src, e);
      }
    } catch (IOException e) {
      throw new CliException(target.toString(), e.getMessage());
    }
    return 0;
  }
}
