package io.sluice.cli.fs;

import io.sluice.cli.CliException;
import io.sluice.cli.ConfOptions;
import io.sluice.client.SluiceClient;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every fs command shares: the configuration options and a connected client. */
final class FsContext {
  @Mixin
  ConfOptions conf;

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  /** A client for the configured cluster; it reaches the master on first use. */
  SluiceClient connect() {
    return SluiceClient.connect(conf.load());
  }

  /** Where the command reports progress and errors: its command line's stderr. */
  PrintWriter err() {
    return command.commandLine().getErr();
  }

  /** Rethrows an RPC failure on {@code path} as a CLI failure naming it. */
  static CliException failure(String path, IOException e) {
    return e instanceof RpcException ? new CliException(path, e) : new CliException(path, e.getMessage());
  }
}
