package io.sluice.cli.fs;

import io.sluice.client.SluiceClient;
import io.sluice.common.proto.FileType;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sluice fs chmod [-R] MODE PATH...}, MODE in octal ({@code 755}, {@code 1777}); another MODE is a usage
 * error. With {@code -R} everything under each directory too; symbolic links found there are left alone, as
 * chmod(1) does.
 */
@Command(name = "chmod", description = "Change permission bits (octal MODE, e.g. 750 or 1777).")
public final class ChmodCommand implements Callable<Integer> {
  @Spec
  CommandSpec commandSpec;

  @Mixin
  FsContext ctx;

  @Option(names = "-R", description = "Also everything under each directory.")
  boolean recursive;

  @Parameters(index = "0", paramLabel = "MODE")
  String mode;

  @Parameters(index = "1..*", paramLabel = "PATH", arity = "1..*")
  List<String> paths;

  @Override
  public Integer call() {
    if (!mode.matches("[0-7]{1,4}")) {
      throw new ParameterException(commandSpec.commandLine(),
          "invalid mode '" + mode + "': octal digits expected, e.g. 755 or 1777");
    }
    int bits = Integer.parseInt(mode, 8);
    try (SluiceClient client = ctx.connect()) {
      for (String p : paths) {
        try {
          String top = FsPaths.clean(p);
          TreeWalk.walk(client, top, recursive, (path, info) -> {
            if (path.equals(top) || info.getType() != FileType.SYMLINK) {
              client.setMode(path, bits);
            }
          });
        } catch (IOException e) {
          throw FsContext.failure(p, e);
        }
      }
    }
    return 0;
  }
}
