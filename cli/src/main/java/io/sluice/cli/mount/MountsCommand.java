package io.sluice.cli.mount;

import io.sluice.cli.CliException;
import io.sluice.cli.OutputOptions;
import io.sluice.cli.Stdout;
import io.sluice.client.SluiceClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code sluice mounts}: the mount table, secrets masked (also with {@code --output json}). */
@Command(name = "mounts", description = "List mounted UFSes.")
public final class MountsCommand implements Callable<Integer> {
  @Mixin
  MountGroup ctx;

  @Mixin
  OutputOptions output;

  @Override
  public Integer call() {
    PrintWriter out = Stdout.writer();
    try (SluiceClient client = ctx.connect()) {
      if (output.json()) {
        out.println(MountTable.json(client.mounts()));
      } else {
        MountTable.print(client.mounts(), out);
      }
    } catch (IOException e) {
      throw new CliException("mounts", e);
    }
    out.flush();
    return 0;
  }
}
