package io.sluice.cli.fs;

import io.sluice.cli.CliException;
import io.sluice.cli.TransferProgress;
import io.sluice.client.CreateOptions;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceInputStream;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice fs cp [-f] SRC DST}: copies a file within Sluice, into DST/NAME when DST is a directory. The bytes
 * pass through this client (read from the workers, written to the workers), like {@code hadoop fs -cp}. Shows its
 * progress on stderr ({@link TransferProgress}).
 */
@Command(name = "cp", description = "Copy a file within Sluice.")
public final class CpCommand implements Callable<Integer> {
  @Mixin
  FsContext ctx;

  @Option(names = "-f", description = "Overwrite an existing file.")
  boolean force;

  @Parameters(index = "0", paramLabel = "SRC")
  String src;

  @Parameters(index = "1", paramLabel = "DST")
  String dst;

  @Override
  public Integer call() {
    String from = FsPaths.clean(src);
    try (SluiceClient client = ctx.connect()) {
      FileInfo source = status(client, from);
      if (source.getType() == FileType.DIRECTORY) {
        throw new CliException(src, "Is a directory (cp copies files)");
      }
      String target = FsPaths.clean(dst);
      try {
        if (client.getStatus(target).getType() == FileType.DIRECTORY) {
          target = (target.equals("/") ? "" : target) + "/" + source.getName();
        }
      } catch (RpcException e) {
        if (e.status() != Status.NOT_FOUND) {
          throw FsContext.failure(dst, e);
        }
        // DST does not exist yet: it names the copy.
      }
      if (target.equals(from)) {
        throw new CliException(src, "source and destination are the same file");
      }
      SluiceInputStream in = open(client, from);
      try (in; OutputStream out = client.create(target, CreateOptions.defaults().withOverwrite(force))) {
        TransferProgress progress = TransferProgress.onConsole(ctx.err(), source.getLength());
        in.transferTo(progress.track(out));
        progress.finish();
      } catch (IOException e) {
        throw FsContext.failure(target, e);
      }
    }
    return 0;
  }

  private static SluiceInputStream open(SluiceClient client, String path) {
    try {
      return client.open(path);
    } catch (RpcException e) {
      throw FsContext.failure(path, e);
    }
  }

  private static FileInfo status(SluiceClient client, String path) {
    try {
      return client.getStatus(path);
    } catch (RpcException e) {
      throw FsContext.failure(path, e);
    }
  }
}
