package io.sluice.cli.mount;

import io.sluice.cli.CliException;
import io.sluice.cli.ConfOptions;
import io.sluice.client.SluiceClient;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import picocli.CommandLine.Mixin;

/** What the mount commands share: the configuration options and a connected client. */
final class MountGroup {
  @Mixin
  ConfOptions conf;

  /** A client for the configured cluster; it reaches the master on first use. */
  SluiceClient connect() {
    return SluiceClient.connect(conf.load());
  }

  /** Rethrows a failure about {@code path} as a CLI failure naming it. */
  static CliException failure(String path, IOException e) {
    return e instanceof RpcException ? new CliException(path, e) : new CliException(path, e.getMessage());
  }
}
