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
 * {@code sluice fs cp [-f] [-r] SRC DST}: copies a file within Sluice, into DST/NAME when DST is a directory; with
 * {@code -r} a directory and everything under it (symbolic links copied as links, never followed), into DST/NAME
 * when DST is a directory, else to DST. The bytes pass through this client (read from the workers, written to the
 * workers), like {@code hadoop fs -cp}. Shows its progress on stderr ({@link TransferProgress}).
 */
@Command(name = "cp", description = "Copy a file (or with -r a directory tree) within Sluice.")
public final class CpCommand implements Callable<Integer> {
  @Mixin
  FsContext ctx;

  @Option(names = "-f", description = "Overwrite an existing file.")
  boolean force;

  @Option(names = {"-r", "-R"}, description = "Copy a directory and everything under it.")
  boolean recursive;

  @Parameters(index = "0", paramLabel = "SRC")
  String src;

  @Parameters(index = "1", paramLabel = "DST")
  String dst;

  @Override
  public Integer call() {
    String from = FsPaths.clean(src);
    try (SluiceClient client = ctx.connect()) {
      FileInfo source = status(client, from);
      if (source.getType() == FileType.DIRECTORY && !recursive) {
        throw new CliException(src, "Is a directory (cp -r copies directories)");
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
      if (source.getType() == FileType.DIRECTORY) {
        if (target.startsWith(from.equals("/") ? "/" : from + "/")) {
          throw new CliException(src, "cannot copy a directory into itself (" + target + ")");
        }
        copyTree(client, from, target);
        return 0;
      }
      TransferProgress progress = TransferProgress.onConsole(ctx.err(), source.getLength());
      copyFile(client, from, target, progress);
      progress.finish();
    }
    return 0;
  }

  /** Copies the tree at {@code from} to {@code target}, which becomes a directory with the same mode. */
  private void copyTree(SluiceClient client, String from, String target) {
    long total;
    try {
      total = SpaceTally.of(client, from).bytes();
    } catch (RpcException e) {
      throw FsContext.failure(from, e);
    }
    TransferProgress progress = TransferProgress.onConsole(ctx.err(), total);
    try {
      TreeWalk.walk(client, from, true, (path, info) -> {
        String to = target + path.substring(from.length());
        switch (info.getType()) {
          case DIRECTORY -> client.mkdir(to, false, info.getMode());
          case SYMLINK -> client.createSymlink(to, info.getSymlinkTarget());
          default -> copyFile(client, path, to, progress);
        }
      });
    } catch (IOException e) {
      throw FsContext.failure(target, e);
    }
    progress.finish();
  }

  private void copyFile(SluiceClient client, String from, String to, TransferProgress progress) {
    SluiceInputStream in = open(client, from);
    try (in; OutputStream out = client.create(to, CreateOptions.defaults().withOverwrite(force))) {
      in.transferTo(progress.track(out));
    } catch (IOException e) {
      throw FsContext.failure(to, e);
    }
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
