package io.kinesisha.cli.control;

import picocli.CommandLine.Command;

/** Turns automatic failover off (maintenance, a known-bad signal); operators can still fail over by hand. */
@Command(
        name = "pause-automation",
        mixinStandardHelpOptions = true,
        description = "Pause automatic failover: health is still evaluated and audited, never acted on.")
public final class PauseAutomationCommand extends AutomationCommand {
    @Override
    boolean pause() {
        return true;
    }
}
