package io.sluice.cli.fs;

import io.sluice.cli.JsonOutput;
import io.sluice.cli.OutputOptions;
import io.sluice.cli.SizeText;
import io.sluice.cli.Stdout;
import io.sluice.client.SluiceClient;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice fs du [-s] [-h] PATH...}: bytes of the files under each entry of a directory (as
 * {@code hadoop fs -du}), or with {@code -s} one total per PATH. Logical bytes, not cached replicas.
 */
@Command(name = "du", description = "Show the bytes under each entry of PATH, or with -s under PATH.")
public final class DuCommand implements Callable<Integer> {
  @Mixin
  FsContext ctx;

  @Mixin
  OutputOptions output;

  @Option(names = "-s", description = "One total per PATH instead of one line per entry.")
  boolean summary;

  @Option(names = "-h", description = "Human-readable sizes (1.5MiB).")
  boolean human;

  @Parameters(paramLabel = "PATH", arity = "0..*", defaultValue = "/",
      description = "Files or directories (default /).")
  List<String> paths;

  @Override
  public Integer call() {
    List<SpaceTally> tallies = new ArrayList<>();
    try (SluiceClient client = ctx.connect()) {
      for (String typed : paths) {
        String p = FsPaths.clean(typed);
        try {
          tallies.addAll(summary ? List.of(SpaceTally.of(client, p)) : entries(client, p));
        } catch (IOException e) {
          throw FsContext.failure(typed, e);
        }
      }
    }
    PrintWriter out = Stdout.writer();
    if (output.json()) {
      out.println(JsonOutput.array(tallies.stream().map(SpaceTally::json).toList()));
    } else {
      int width = tallies.stream().mapToInt(t -> SizeText.of(t.bytes(), human).length()).max().orElse(0);
      for (SpaceTally t : tallies) {
        out.printf("%" + width + "s  %s%n", SizeText.of(t.bytes(), human), t.path());
      }
    }
    out.flush();
    return 0;
  }

  /** A file stands for itself; a directory for each of its entries. */
  private static List<SpaceTally> entries(SluiceClient client, String path) throws IOException {
    if (client.getStatus(path).getType() != FileType.DIRECTORY) {
      return List.of(SpaceTally.of(client, path));
    }
    List<SpaceTally> out = new ArrayList<>();
    for (FileInfo f : client.listStatus(path)) {
      out.add(SpaceTally.of(client, (path.equals("/") ? "" : path) + "/" + f.getName()));
    }
    return out;
  }
}
