package io.sluice.cli.fs;

import io.sluice.cli.CliException;
import io.sluice.cli.TransferProgress;
import io.sluice.client.CreateOptions;
import io.sluice.client.SluiceClient;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice fs put LOCAL DEST}: copies a local file in; into DEST/NAME when DEST is a directory. Shows its
 * progress on stderr ({@link TransferProgress}).
 */
@Command(name = "put", description = "Copy a local file into Sluice.")
public final class PutCommand implements Callable<Integer> {
  @Mixin
  FsContext ctx;

  @Option(names = "-f", description = "Overwrite an existing file.")
  boolean force;

  @Parameters(index = "0", paramLabel = "LOCAL")
  Path local;

  @Parameters(index = "1", paramLabel = "DEST")
  String dest;

  @Override
  public Integer call() {
    if (!Files.isRegularFile(local)) {
      throw new CliException(local.toString(), Files.exists(local) ? "Not a regular file"
          : "No such file or directory");
    }
    try (SluiceClient client = ctx.connect()) {
      String target = FsPaths.clean(dest);
      try {
        if (client.getStatus(target).getType() == FileType.DIRECTORY) {
          target = (target.equals("/") ? "" : target) + "/" + local.getFileName();
        }
      } catch (RpcException e) {
        if (e.status() != Status.NOT_FOUND) {
          throw FsContext.failure(target, e);
        }
        // DEST does not exist yet: it names the new file.
      }
      try (InputStream in = Files.newInputStream(local);
          OutputStream out = client.create(target, CreateOptions.defaults().withOverwrite(force))) {
        TransferProgress progress = TransferProgress.onConsole(ctx.err(), Files.size(local));
        in.transferTo(progress.track(out));
        progress.finish();
      } catch (IOException e) {
        throw FsContext.failure(target, e);
      }
    }
    return 0;
  }
}
