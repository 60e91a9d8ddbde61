package io.sluice.cli.fs;

import io.sluice.client.SluiceClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code sluice fs cat PATH...}: the files' bytes to stdout, unchanged. */
@Command(name = "cat", description = "Print files to standard output.")
public final class CatCommand implements Callable<Integer> {
  @Mixin
  FsContext ctx;

  @Parameters(paramLabel = "PATH", arity = "1..*")
  List<String> paths;

  @Override
  public Integer call() {
    OutputStream out = System.out;
    try (SluiceClient client = ctx.connect()) {
      for (String p : paths) {
        try (InputStream in = client.open(FsPaths.clean(p))) {
          in.transferTo(out);
        } catch (IOException e) {
          throw FsContext.failure(p, e);
        }
      }
      out.flush();
    } catch (IOException e) {
      throw FsContext.failure("stdout", e);
    }
    return 0;
  }
}
