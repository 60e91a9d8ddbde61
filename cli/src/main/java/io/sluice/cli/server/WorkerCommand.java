package io.sluice.cli.server;

import io.sluice.cli.ConfOptions;
import io.sluice.cli.daemon.Daemon;
import io.sluice.worker.WorkerServer;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice worker [--daemon]}: runs a worker in the foreground, or in the background with {@code --daemon}. */
@Command(name = "worker", description = "Run a worker in the foreground until SIGTERM, or in the background.")
public final class WorkerCommand implements Callable<Integer> {
  @Mixin
  ConfOptions conf;

  @Option(names = "--daemon", description = "Run in the background: pid file in $SLUICE_PID_DIR (default "
      + "$SLUICE_HOME/run), log in $SLUICE_LOG_DIR (default $SLUICE_HOME/logs); return once it serves.")
  boolean daemon;

  @Override
  public Integer call() throws Exception {
    if (daemon) {
      Daemon.start("worker", List.of("worker"), conf.overrides());
      return 0;
    }
    WorkerServer server = new WorkerServer(conf.load());
    server.start();
    return Foreground.run("worker", server);
  }
}
