package io.sluice.cli.conf;

import io.sluice.cli.Stdout;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code sluice conf template}: prints a {@code sluice.properties} listing every key, commented out with its default
 * and meaning ({@link ConfTemplate}). The repository's {@code conf/sluice.properties} is this output.
 */
@Command(name = "template", description = "Print a sluice.properties with every key, its default and its meaning.")
public final class ConfTemplateCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    PrintWriter out = Stdout.writer();
    out.print(ConfTemplate.render());
    out.flush();
    return 0;
  }
}
