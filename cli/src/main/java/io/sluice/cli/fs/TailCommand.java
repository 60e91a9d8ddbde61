package io.sluice.cli.fs;

import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice fs tail [-c BYTES] PATH}: the last bytes of a file, 1 KiB unless told (as Alluxio's tail). Seeks, so
 * only the blocks holding them are read.
 */
@Command(name = "tail", description = "Print the last bytes of a file (default 1 KiB).")
public final class TailCommand implements Callable<Integer> {
  @Mixin
  FsContext ctx;

  @Option(names = "-c", paramLabel = "BYTES", defaultValue = "1024", converter = ByteCountConverter.class,
      description = "How many bytes, e.g. 100, 4k, 1m (default: ${DEFAULT-VALUE}).")
  long bytes;

  @Parameters(paramLabel = "PATH")
  String path;

  @Override
  public Integer call() {
    OutputStream out = System.out;
    try (SluiceClient client = ctx.connect(); SluiceInputStream in = client.open(FsPaths.clean(path))) {
      in.seek(Math.max(0, in.length() - bytes));
      in.transferTo(out);
      out.flush();
    } catch (IOException e) {
      throw FsContext.failure(path, e);
    }
    return 0;
  }
}
