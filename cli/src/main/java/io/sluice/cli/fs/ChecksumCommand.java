package io.sluice.cli.fs;

import io.sluice.cli.JsonOutput;
import io.sluice.cli.OutputOptions;
import io.sluice.cli.Stdout;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.zip.CRC32C;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice fs checksum PATH...}: the CRC32C of each file's bytes as read through Sluice (every chunk of which the
 * client checks against the checksums stored with its block on the way), its length and path, to compare with a
 * copy elsewhere ({@code cksum}-like; the same value as a CRC32C of the file computed anywhere else). A directory is
 * an error.
 */
@Command(name = "checksum", description = "Print the CRC32C and length of each file, as read through Sluice.")
public final class ChecksumCommand implements Callable<Integer> {
  @Mixin
  FsContext ctx;

  @Mixin
  OutputOptions output;

  @Parameters(paramLabel = "PATH", arity = "1..*")
  List<String> paths;

  @Override
  public Integer call() {
    PrintWriter out = Stdout.writer();
    byte[] buf = new byte[1 << 20];
    List<String> json = new ArrayList<>();
    try (SluiceClient client = ctx.connect()) {
      for (String p : paths) {
        String path = FsPaths.clean(p);
        CRC32C crc = new CRC32C();
        long length = 0;
        try (SluiceInputStream in = client.open(path)) {
          for (int n; (n = in.read(buf)) > 0; ) {
            crc.update(buf, 0, n);
            length += n;
          }
        } catch (IOException e) {
          throw FsContext.failure(p, e);
        }
        String hex = String.format(Locale.ROOT, "%08x", crc.getValue());
        if (output.json()) {
          json.add(JsonOutput.object().put("path", path).put("crc32c", hex).put("length", length).toString());
        } else {
          out.println("CRC32C " + hex + " " + length + " " + path);
        }
      }
    }
    if (output.json()) {
      out.println(JsonOutput.array(json));
    }
    out.flush();
    return 0;
  }
}
