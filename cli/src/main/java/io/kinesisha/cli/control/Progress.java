package io.kinesisha.cli.control;

import io.kinesisha.cli.OutputOptions;
import io.kinesisha.controller.operations.OperationDriver;
import java.io.PrintWriter;
import java.util.function.Consumer;
import picocli.CommandLine.Model.CommandSpec;

/** Progress lines on stderr (stdout stays clean for --output json), results on stdout, and exit codes. */
final class Progress {
    private Progress() {}

    static Consumer<String> to(CommandSpec spec, OutputOptions output) {
        PrintWriter err = spec.commandLine().getErr();
        return line -> {
            err.println("kinesis-ha " + spec.name() + ": " + line);
            err.flush();
        };
    }

    static int printPlan(CommandSpec spec, OutputOptions output, OperationDriver.Plan plan) {
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            output.printJson(out, Views.plan(plan));
        } else {
            out.println(Views.text(plan));
            out.flush();
        }
        return plan.allowed() ? 0 : 1;
    }

    /** 0 when completed or nothing to do; 1 when rejected, aborted or another controller won. */
    static int printReport(CommandSpec spec, OutputOptions output, OperationDriver.Report report) {
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            output.printJson(out, Views.report(report));
        } else {
            out.println(report.result() + ": " + report.message() + " ("
                    + report.took().toMillis() + " ms)");
            out.flush();
        }
        boolean ok = report.result() == OperationDriver.Result.COMPLETED
                || report.result() == OperationDriver.Result.UNCHANGED;
        if (!ok) {
            spec.commandLine()
                    .getErr()
                    .println("kinesis-ha " + spec.name() + ": " + report.result() + ": " + report.message());
            spec.commandLine().getErr().flush();
        }
        return switch (report.result()) {
            case COMPLETED, UNCHANGED -> 0;
            case ABORTED, REJECTED, LOST_RACE -> 1;
        };
    }
}
