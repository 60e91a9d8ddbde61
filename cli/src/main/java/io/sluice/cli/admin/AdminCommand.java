package io.sluice.cli.admin;

import picocli.CommandLine.Command;

/** {@code sluice admin ...}: what the masters and workers report about the cluster (DESIGN §9). */
@Command(name = "admin", description = "Cluster administration: masters, workers, jobs, decommissioning.",
    subcommands = {ReportCommand.class, MastersCommand.class, WorkersCommand.class, JobsCommand.class,
        DecommissionCommand.class})
public final class AdminCommand {
}
