package io.sluice.cli.fs;

import picocli.CommandLine.Command;

/** {@code sluice fs ...}: file system commands against the cluster. */
@Command(name = "fs", description = "File system commands.",
    subcommands = {LsCommand.class, StatCommand.class, MkdirCommand.class, PutCommand.class, GetCommand.class,
        CatCommand.class, HeadCommand.class, TailCommand.class, CpCommand.class, RmCommand.class, MvCommand.class,
        TouchCommand.class, LnCommand.class, DuCommand.class, DfCommand.class, CountCommand.class, ChmodCommand.class,
        ChownCommand.class, ChecksumCommand.class, PinCommand.class, UnpinCommand.class})
public final class FsCommand {
}
