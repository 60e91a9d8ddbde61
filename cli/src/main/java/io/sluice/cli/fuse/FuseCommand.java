package io.sluice.cli.fuse;

import picocli.CommandLine.Command;

/** {@code sluice fuse mount|umount}: the Sluice namespace as a local directory. */
@Command(name = "fuse", description = "Mount Sluice as a local directory with FUSE, or unmount it.",
    subcommands = {FuseMountCommand.class, FuseUmountCommand.class})
public final class FuseCommand {
}
