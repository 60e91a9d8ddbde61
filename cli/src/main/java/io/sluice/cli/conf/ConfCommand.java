package io.sluice.cli.conf;

import picocli.CommandLine.Command;

/** {@code sluice conf ...}: the configuration this command line sees. */
@Command(name = "conf", description = "Show configuration.",
    subcommands = {ConfGetCommand.class, ConfTemplateCommand.class})
public final class ConfCommand {
}
