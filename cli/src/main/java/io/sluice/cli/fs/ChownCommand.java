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
 * {@code sluice fs chown [-R] OWNER[:GROUP] PATH...}; {@code :GROUP} alone changes only the group. With {@code -R}
 * everything under each directory too; symbolic links found there are left alone, never followed.
 */
@Command(name = "chown", description = "Change owner and/or group: OWNER, OWNER:GROUP or :GROUP.")
public final class ChownCommand implements Callable<Integer> {
  @Spec
  CommandSpec commandSpec;

  @Mixin
  FsContext ctx;

  @Option(names = "-R", description = "Also everything under each directory.")
  boolean recursive;

  @Parameters(index = "0", paramLabel = "OWNER[:GROUP]")
  String spec;

  @Parameters(index = "1..*", paramLabel = "PATH", arity = "1..*")
  List<String> paths;

  @Override
  public Integer call() {
    int colon = spec.indexOf(':');
    String owner = colon < 0 ? spec : spec.substring(0, colon);
    String group = colon < 0 ? null : spec.substring(colon + 1);
    if ((owner.isEmpty() && (group == null || group.isEmpty())) || (group != null && group.isEmpty())) {
      throw new ParameterException(commandSpec.commandLine(),
          "invalid owner '" + spec + "': OWNER, OWNER:GROUP or :GROUP expected");
    }
    try (SluiceClient client = ctx.connect()) {
      for (String p : paths) {
        try {
          String top = FsPaths.clean(p);
          TreeWalk.walk(client, top, recursive, (path, info) -> {
            if (path.equals(top) || info.getType() != FileType.SYMLINK) {
              client.setOwner(path, owner.isEmpty() ? null : owner, group);
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
