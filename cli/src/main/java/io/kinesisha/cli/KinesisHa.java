package io.kinesisha.cli;

import io.kinesisha.cli.control.AuditCommand;
import io.kinesisha.cli.control.ControllerCommand;
import io.kinesisha.cli.control.FailbackCommand;
import io.kinesisha.cli.control.FailoverCommand;
import io.kinesisha.cli.control.OrphansCommand;
import io.kinesisha.cli.control.PauseAutomationCommand;
import io.kinesisha.cli.control.ResumeAutomationCommand;
import io.kinesisha.cli.control.StatusCommand;
import io.kinesisha.cli.control.SwitchoverCommand;
import io.kinesisha.cli.local.LocalCommand;
import io.kinesisha.cli.replicate.ReplicateCommand;
import io.kinesisha.cli.verify.VerifyCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code kinesis-ha} command: one entry point for operators, runbooks, scripts and the demo. */
@Command(
        name = "kinesis-ha",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Keeps an Amazon Kinesis Data Streams workload available through a regional outage.",
        subcommands = {
            LocalCommand.class,
            ReplicateCommand.class,
            StatusCommand.class,
            FailoverCommand.class,
            SwitchoverCommand.class,
            PauseAutomationCommand.class,
            ResumeAutomationCommand.class,
            AuditCommand.class,
            ControllerCommand.class,
            VerifyCommand.class,
            FailbackCommand.class,
            OrphansCommand.class,
            io.kinesisha.cli.drill.DrillCommand.class,
            io.kinesisha.cli.demo.DemoCommand.class,
            io.kinesisha.cli.size.SizeCommand.class,
            CommandLine.HelpCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done",
            "1:the operation failed, was rejected or aborted, or was not confirmed (the message says why)",
            "2:bad command line or configuration (the message names the option or field)"
        })
public final class KinesisHa {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by {@link #main} and tests. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new KinesisHa());
        cli.setExecutionExceptionHandler(new FailureHandler());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        return cli;
    }
}
