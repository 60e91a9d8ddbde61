package io.sluice.cli.server;

import io.sluice.cli.ConfOptions;
import io.sluice.worker.WorkerServer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code sluice worker}: runs a worker in the foreground. */
@Command(name = "worker", description = "Run a worker in the foreground until SIGTERM.")
public final class WorkerCommand implements Callable<Integer> {
  @Mixin
  ConfOptions conf;

  @Override
  public Integer call() throws Exception {
    WorkerServer server = new WorkerServer(conf.load());
    server.start();
    return Foreground.run("worker", server);
  }
}
