package io.sluice.cli.local;

import picocli.CommandLine.Command;

/** {@code sluice local start|stop|status}: a one-host cluster as background processes. */
@Command(name = "local", description = "Run a master and a worker on this host in the background.",
    subcommands = {LocalStartCommand.class, LocalStopCommand.class, LocalStatusCommand.class})
public final class LocalCommand {
}
