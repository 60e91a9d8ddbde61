package io.sluice.cli.fs;

import io.sluice.cli.JsonOutput;
import io.sluice.cli.OutputOptions;
import io.sluice.cli.SizeText;
import io.sluice.cli.Stdout;
import io.sluice.cli.Table;
import io.sluice.client.SluiceClient;
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
 * {@code sluice fs count [-h] PATH...}: directories (PATH included), files and bytes at and under each PATH, as
 * {@code hadoop fs -count} prints them.
 */
@Command(name = "count", description = "Count directories, files and bytes under PATH.")
public final class CountCommand implements Callable<Integer> {
  @Mixin
  FsContext ctx;

  @Mixin
  OutputOptions output;

  @Option(names = "-h", description = "Human-readable sizes (1.5MiB).")
  boolean human;

  @Parameters(paramLabel = "PATH", arity = "1..*")
  List<String> paths;

  @Override
  public Integer call() {
    List<SpaceTally> tallies = new ArrayList<>();
    try (SluiceClient client = ctx.connect()) {
      for (String typed : paths) {
        try {
          tallies.add(SpaceTally.of(client, FsPaths.clean(typed)));
        } catch (IOException e) {
          throw FsContext.failure(typed, e);
        }
      }
    }
    PrintWriter out = Stdout.writer();
    if (output.json()) {
      out.println(JsonOutput.array(tallies.stream().map(SpaceTally::json).toList()));
    } else {
      Table t = new Table(">DIRS", ">FILES", ">BYTES", "PATH");
      tallies.forEach(s -> t.row(s.dirs(), s.files(), SizeText.of(s.bytes(), human), s.path()));
      t.print(out);
    }
    out.flush();
    return 0;
  }
}
