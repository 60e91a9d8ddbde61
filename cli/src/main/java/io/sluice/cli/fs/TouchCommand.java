package io.sluice.cli.fs;

import io.sluice.client.SluiceClient;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code sluice fs touch PATH...}: sets the times of existing paths to now, creates the others empty. */
@Command(name = "touch", description = "Update modification times to now; create missing files empty.")
public final class TouchCommand implements Callable<Integer> {
  @Mixin
  FsContext ctx;

  @Parameters(paramLabel = "PATH", arity = "1..*")
  List<String> paths;

  @Override
  public Integer call() {
    try (SluiceClient client = ctx.connect()) {
      for (String p : paths) {
        String path = FsPaths.clean(p);
        try {
          touch(client, path);
        } catch (IOException e) {
          throw FsContext.failure(p, e);
        }
      }
    }
    return 0;
  }

  private static void touch(SluiceClient client, String path) throws IOException {
    try {
      client.touch(path);
    } catch (RpcException e) {
      if (e.status() != Status.NOT_FOUND) {
        throw e;
      }
      // Another client may create it between the two calls; then ALREADY_EXISTS fails this touch, as it would
      // have been created by that client just the same.
      client.create(path).close();
    }
  }
}
