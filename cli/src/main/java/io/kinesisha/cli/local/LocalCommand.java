package io.kinesisha.cli.local;

import picocli.CommandLine.Command;

/** {@code kinesis-ha local}: the emulated two-region environment on this machine. */
@Command(
        name = "local",
        mixinStandardHelpOptions = true,
        description = "Run emulated AWS regions (Kinesis + control store) on this machine.",
        subcommands = {LocalUpCommand.class, LocalDownCommand.class, LocalStatusCommand.class})
public final class LocalCommand {}
