package io.kinesisha.cli.control;

import picocli.CommandLine.Command;

/** Turns automatic failover back on. */
@Command(
        name = "resume-automation",
        mixinStandardHelpOptions = true,
        description = "Resume automatic failover after pause-automation.")
public final class ResumeAutomationCommand extends AutomationCommand {
    @Override
    boolean pause() {
        return false;
    }
}
