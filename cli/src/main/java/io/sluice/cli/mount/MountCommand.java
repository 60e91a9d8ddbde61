package io.sluice.cli.mount;

import io.sluice.cli.DurationConverter;
import io.sluice.cli.fs.FsPaths;
import io.sluice.client.MountOptions;
import io.sluice.client.SluiceClient;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice mount PATH UFS_URI [--option k=v]... [--sync-interval D] [--read-only] [--replicas N]}. */
@Command(name = "mount", description = "Mount a UFS (s3://, hdfs://, file://) at a path of the namespace.")
public final class MountCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  MountGroup ctx;

  @Parameters(index = "0", paramLabel = "PATH", description = "Mount point; must not exist yet.")
  String path;

  @Parameters(index = "1", paramLabel = "UFS_URI", description = "e.g. s3://bucket/prefix, hdfs://nn:8020/dir.")
  URI ufsUri;

  @Option(names = "--option", paramLabel = "KEY=VALUE",
      description = "Connector option, e.g. an endpoint or credentials (repeatable).")
  Map<String, String> options = new LinkedHashMap<>();

  @Option(names = "--sync-interval", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "How long listed metadata is trusted before it is checked against the UFS: 500ms, 30s, 5m,"
          + " 1h, 7d, 0s (on every access) or never (default: the master's).")
  Duration syncInterval;

  @Option(names = "--read-only", description = "Refuse writes under the mount point.")
  boolean readOnly;

  @Option(names = "--replicas", paramLabel = "N", description = "Cached copies of each block a load makes.")
  int replicas;

  @Override
  public Integer call() {
    path = FsPaths.clean(path);
    MountOptions opts = options();
    try (SluiceClient client = ctx.connect()) {
      client.mount(path, ufsUri, opts);
    } catch (IOException e) {
      throw MountGroup.failure(path, e);
    }
    return 0;
  }

  /** The options as typed; a value the protocol cannot carry (0s, -1 replicas) is a usage error, exit 2. */
  private MountOptions options() {
    try {
      MountOptions opts = MountOptions.defaults().withOptions(options).withReadOnly(readOnly)
          .withReplicas(replicas);
      return syncInterval == null ? opts : opts.withSyncInterval(syncInterval);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }
}
