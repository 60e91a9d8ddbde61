package io.sluice.cli.cluster;

import picocli.CommandLine.Command;

/**
 * {@code sluice cluster start|stop|status}: every master and worker listed in {@code $SLUICE_CONF_DIR/masters} and
 * {@code .../workers}, each run as {@code sluice master|worker --daemon} on its host over ssh.
 *
 * <p>A CLI command rather than a shell script: one launcher and one {@code --help}, the conf directory resolved by
 * the same code as every other command, and per-host parallelism, output prefixes and exit codes without the
 * background-job and {@code pipefail} pitfalls of bash.
 */
@Command(name = "cluster", description = "Start, stop or check the masters and workers listed in conf/ over ssh.",
    subcommands = {ClusterStartCommand.class, ClusterStopCommand.class, ClusterStatusCommand.class})
public final class ClusterCommand {
}
