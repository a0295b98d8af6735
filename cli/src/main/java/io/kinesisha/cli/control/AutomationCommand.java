package io.kinesisha.cli.control;

import io.kinesisha.cli.ConfigOptions;
import io.kinesisha.cli.OutputOptions;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.controller.statemachine.Outcome;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The automation kill switch: while paused, evaluations are recorded but never fail over. */
abstract class AutomationCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config;

    @Mixin
    OutputOptions output;

    @Mixin
    Confirmation confirmation;

    @Option(names = "--reason", required = true, description = "Why (kept in the audit trail).")
    String reason;

    abstract boolean pause();

    @Override
    public Integer call() {
        if (reason.isBlank()) {
            throw new IllegalArgumentException("--reason must not be blank");
        }
        String verb = pause() ? "pause" : "resume";
        try (PairContext ctx = ControlSession.open(config)) {
            ControlSession.requireRecord(ctx);
            PrintWriter out = spec.commandLine().getOut();
            ControlRecord current = ctx.control().read(ctx.pair());
            if (confirmation.dryRun()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("dryRun", true);
                m.put("automationPaused", current.automationPaused());
                m.put("wouldChange", current.automationPaused() != pause());
                print(
                        out,
                        m,
                        "dry run: automation is " + (current.automationPaused() ? "paused" : "running") + "; "
                                + (current.automationPaused() == pause()
                                        ? "nothing would change"
                                        : "would " + verb + " it"));
                return 0;
            }
            if (!confirmation.confirm(
                    spec.name(),
                    verb + " automatic failover for pair " + ctx.pair(),
                    spec.commandLine().getErr())) {
                return Confirmation.DECLINED;
            }
            Outcome o = ctx.control().setAutomationPaused(ctx.pair(), pause(), reason);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("result", o.result().name());
            m.put("automationPaused", o.record().automationPaused());
            m.put("message", o.reason());
            print(
                    out,
                    m,
                    o.result() + ": automation " + (o.record().automationPaused() ? "paused" : "running")
                            + (o.reason() == null ? "" : " (" + o.reason() + ")"));
            return o.result() == Outcome.Result.LOST_RACE ? 1 : 0;
        }
    }

    private void print(PrintWriter out, Map<String, Object> json, String text) {
        if (output.json()) {
            output.printJson(out, json);
        } else {
            out.println(text);
            out.flush();
        }
    }
}
