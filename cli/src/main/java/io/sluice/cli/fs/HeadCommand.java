package io.sluice.cli.fs;

import io.sluice.client.SluiceClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice fs head [-c BYTES] PATH}: the first bytes of a file, 1 KiB unless told (as Alluxio's head). */
@Command(name = "head", description = "Print the first bytes of a file (default 1 KiB).")
public final class HeadCommand implements Callable<Integer> {
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
    try (SluiceClient client = ctx.connect(); InputStream in = client.open(FsPaths.clean(path))) {
      byte[] buf = new byte[(int) Math.min(bytes, 64 * 1024)];
      long left = bytes;
      while (left > 0) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (n < 0) {
          break;
        }
        out.write(buf, 0, n);
        left -= n;
      }
      out.flush();
    } catch (IOException e) {
      throw FsContext.failure(path, e);
    }
    return 0;
  }
}
