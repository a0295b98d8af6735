package io.kinesisha.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns an exception from a command into one clear line on stderr and a stable exit code: 2 for bad input
 * (an {@link IllegalArgumentException}, e.g. a config error naming its field), 1 for a failed operation.
 * The stack trace is printed only with {@code KINESIS_HA_DEBUG=1}.
 */
final class FailureHandler implements IExecutionExceptionHandler {
    static final int FAILED = 1;
    static final int BAD_INPUT = 2;

    @Override
    public int handleExecutionException(Exception e, CommandLine cli, ParseResult parseResult) {
        boolean badInput = e instanceof IllegalArgumentException;
        cli.getErr()
                .println(cli.getColorScheme()
                        .errorText("kinesis-ha " + cli.getCommandName() + ": "
                                + (e.getMessage() == null ? e.toString() : e.getMessage())));
        if ("1".equals(System.getenv("KINESIS_HA_DEBUG"))) {
            e.printStackTrace(cli.getErr());
        }
        return badInput ? BAD_INPUT : FAILED;
    }
}
