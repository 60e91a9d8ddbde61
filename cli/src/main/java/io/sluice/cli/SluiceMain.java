package io.sluice.cli;

import io.sluice.cli.admin.AdminCommand;
import io.sluice.cli.cluster.ClusterCommand;
import io.sluice.cli.conf.ConfCommand;
import io.sluice.cli.daemon.StatusCommand;
import io.sluice.cli.daemon.StopCommand;
import io.sluice.cli.fs.FsCommand;
import io.sluice.cli.fs.PinCommand;
import io.sluice.cli.fs.UnpinCommand;
import io.sluice.cli.fuse.FuseCommand;
import io.sluice.cli.local.LocalCommand;
import io.sluice.cli.mount.FreeCommand;
import io.sluice.cli.mount.JobCommand;
import io.sluice.cli.mount.LoadCommand;
import io.sluice.cli.mount.MountCommand;
import io.sluice.cli.mount.MountsCommand;
import io.sluice.cli.mount.TtlCommand;
import io.sluice.cli.mount.UmountCommand;
import io.sluice.cli.server.MasterCommand;
import io.sluice.cli.server.WorkerCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sluice} command: servers, the local cluster and file system commands. */
@Command(name = "sluice", mixinStandardHelpOptions = true, versionProvider = SluiceMain.Version.class,
    description = "Sluice: a distributed caching file system.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "1:the operation failed (one line on stderr says why)", "2:usage error"},
    subcommands = {MasterCommand.class, WorkerCommand.class, StopCommand.class, StatusCommand.class,
        ClusterCommand.class, FsCommand.class, MountCommand.class, UmountCommand.class,
        MountsCommand.class, LoadCommand.class, JobCommand.class, FreeCommand.class, PinCommand.class,
        UnpinCommand.class, TtlCommand.class, FuseCommand.class, LocalCommand.class, AdminCommand.class, ConfCommand.class, CompletionCommand.class})
public final class SluiceMain implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  /** Builds the command line with Sluice's error handling: one line per failure, exit 1; usage errors exit 2. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new SluiceMain());
    cl.setExecutionExceptionHandler(new FailurePrinter());
    return cl;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The version from the jar manifest, when packaged. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = SluiceMain.class.getPackage().getImplementationVersion();
      return new String[] {"sluice " + (v == null ? "(development build)" : v)};
    }
  }
}
