package io.sluice.cli.fs;

import io.sluice.cli.CliException;
import io.sluice.cli.ConfOptions;
import io.sluice.client.SluiceClient;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import picocli.CommandLine.Mixin;

/** What every fs command shares: the configuration options and a connected client. */
final class FsContext {
  @Mixin
  ConfOptions conf;

  /** A client for the configured cluster; it reaches the master on first use. */
  SluiceClient connect() {
    return SluiceClient.connect(conf.load());
  }

  /** Rethrows an RPC failure on {@code path} as a CLI failure naming it. */
  static CliException failure(String path, IOException e) {
    return e instanceof RpcException ? new CliException(path, e) : new CliException(path, e.getMessage());
  }
}
