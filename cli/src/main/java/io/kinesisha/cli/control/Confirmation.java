package io.kinesisha.cli.control;

import java.io.Console;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/**
 * {@code --dry-run} and {@code --yes}, shared by every control command. A change needs consent: {@code --yes},
 * or typing "yes" at a terminal; without a terminal the command refuses rather than hang or guess.
 */
public final class Confirmation {
    /** Exit code when the operator declined at the prompt. */
    public static final int DECLINED = 1;

    @Option(names = "--dry-run", description = "Show what would change (reads only, writes nothing).")
    boolean dryRun;

    @Option(
            names = {"-y", "--yes"},
            description = "Do it without asking (needed when stdin is not a terminal).")
    boolean yes;

    public boolean dryRun() {
        return dryRun;
    }

    /**
     * True when the change may go ahead.
     *
     * @throws IllegalArgumentException (exit code 2) without --yes and without a terminal
     */
    public boolean confirm(String command, String question, PrintWriter err) {
        if (yes) {
            return true;
        }
        Console console = System.console();
        if (console == null) {
            throw new IllegalArgumentException("--yes: refusing to " + question + " without confirmation: stdin is "
                    + "not a terminal; pass --yes to confirm, or --dry-run to see what it would do");
        }
        String answer = console.readLine("%s: %s? Type 'yes' to continue: ", command, question);
        if (answer != null && answer.trim().equalsIgnoreCase("yes")) {
            return true;
        }
        err.println("kinesis-ha " + command + ": not confirmed; nothing changed");
        return false;
    }
}
