package io.sluice.cli.fs;

import io.sluice.cli.JsonOutput;
import io.sluice.cli.OutputOptions;
import io.sluice.cli.Stdout;
import io.sluice.cli.TtlText;

import io.sluice.client.SluiceClient;
import io.sluice.common.proto.FileInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code sluice fs stat PATH}: everything the master knows of one inode ({@code --output json}: its FileInfo). */
@Command(name = "stat", description = "Show a file's or directory's attributes.")
public final class StatCommand implements Callable<Integer> {
  @Mixin
  FsContext ctx;

  @Mixin
  OutputOptions output;

  @Parameters(paramLabel = "PATH")
  String path;

  @Override
  public Integer call() {
    PrintWriter out = Stdout.writer();
    path = FsPaths.clean(path);
    try (SluiceClient client = ctx.connect()) {
      FileInfo f = client.getStatus(path);
      if (output.json()) {
        out.println(JsonOutput.of(f));
        out.flush();
        return 0;
      }
      out.printf("path:       %s%n", path);
      out.printf("id:         %d%n", f.getId());
      out.printf("type:       %s%n", f.getType().name().toLowerCase(java.util.Locale.ROOT));
      out.printf("size:       %d%n", f.getLength());
      out.printf("mode:       %s (%04o)%n", Modes.format(f), f.getMode());
      out.printf("owner:      %s:%s%n", f.getOwner(), f.getGroup());
      out.printf("modified:   %s%n", Instant.ofEpochMilli(f.getMtimeMs()));
      if (f.getTtlMs() > 0) {
        out.printf("ttl:        %s%n", TtlText.of(f));
      }
      if (f.getPinned()) {
        out.printf("pinned:     true%n");
      }
      if (f.getType() == io.sluice.common.proto.FileType.FILE) {
        out.printf("complete:   %s%n", f.getComplete());
        out.printf("block size: %d%n", f.getBlockSize());
        out.printf("blocks:     %d%n", f.getBlocksCount());
        out.printf("replicas:   %d%n", f.getReplicas());
      }
    } catch (IOException e) {
      throw FsContext.failure(path, e);
    }
    out.flush();
    return 0;
  }
}
