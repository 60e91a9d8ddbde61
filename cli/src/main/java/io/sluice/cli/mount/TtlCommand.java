package io.sluice.cli.mount;

import io.sluice.cli.DurationConverter;
import io.sluice.cli.Stdout;
import io.sluice.cli.TtlText;
import io.sluice.cli.fs.FsPaths;
import io.sluice.client.MountOptions;
import io.sluice.client.SluiceClient;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.TtlAction;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sluice ttl PATH DURATION [--action free|delete]} gives a path a time to live, counted from its creation;
 * {@code sluice ttl PATH --unset} takes it away. When it runs out the leading master frees the path's cached blocks
 * (the default: the UFS keeps the data) or, only when asked with {@code --action delete}, deletes the path and
 * everything under it, in the UFS too. Exit 0 done, 1 the master refused, 2 usage.
 */
@Command(name = "ttl", description = {"Set or clear the time to live of PATH (counted from its creation).",
    "When it runs out the master frees PATH's cached blocks (default; the UFS keeps the data), or deletes PATH and "
        + "everything under it, in the UFS too, with --action delete."})
public final class TtlCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  MountGroup ctx;

  @Parameters(index = "0", paramLabel = "PATH", description = "File or directory.")
  String path;

  @Parameters(index = "1", arity = "0..1", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Time to live, e.g. 30m, 12h, 7d.")
  Duration ttl;

  @Option(names = "--action", paramLabel = "free|delete",
      description = "What to do when the TTL runs out: free (default) or delete (deletes the data in the UFS too).")
  String action;

  @Option(names = "--unset", description = "Remove the TTL of PATH.")
  boolean unset;

  @Override
  public Integer call() {
    TtlAction a = validate();
    path = FsPaths.clean(path);
    FileInfo f;
    try (SluiceClient client = ctx.connect()) {
      f = client.setTtl(path, unset ? 0 : ttl.toMillis(), a);
    } catch (IOException e) {
      throw MountGroup.failure(path, e);
    }
    PrintWriter out = Stdout.writer();
    out.printf("%s: TTL %s%n", path, unset ? "removed" : TtlText.of(f));
    out.flush();
    return 0;
  }

  /** Usage errors (exit 2): exactly one of DURATION and --unset, a finite non-zero duration, a known action. */
  private TtlAction validate() {
    if (unset == (ttl != null)) {
      throw usage("give either a DURATION or --unset");
    }
    if (unset) {
      if (action != null) {
        throw usage("--action goes with a DURATION, not --unset");
      }
      return TtlAction.TTL_ACTION_UNSPECIFIED;
    }
    if (ttl.isZero() || ttl.equals(MountOptions.NEVER)) {
      throw usage("'" + DurationConverter.format(ttl) + "' is no time to live; use --unset to remove one");
    }
    return switch (action == null ? "free" : action) {
      case "free" -> TtlAction.TTL_FREE;
      case "delete" -> TtlAction.TTL_DELETE;
      default -> throw usage("--action is free or delete, not '" + action + "'");
    };
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
