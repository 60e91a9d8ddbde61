package io.sluice.cli.server;

import io.sluice.cli.ConfOptions;
import io.sluice.master.MasterServer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code sluice master}: runs a master in the foreground. */
@Command(name = "master", description = "Run a master in the foreground until SIGTERM.")
public final class MasterCommand implements Callable<Integer> {
  @Mixin
  ConfOptions conf;

  @Override
  public Integer call() throws Exception {
    MasterServer server = new MasterServer(conf.load());
    server.start();
    return Foreground.run("master", server);
  }
}
