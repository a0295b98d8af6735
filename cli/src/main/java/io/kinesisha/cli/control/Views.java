package io.kinesisha.cli.control;

import io.kinesisha.common.control.AuditEntry;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.controller.actions.ApiCall;
import io.kinesisha.controller.operations.OperationDriver;
import io.kinesisha.controller.statemachine.Operation;
import io.kinesisha.controller.statemachine.OperationCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON shapes control commands print (stable field names, for scripts and runbooks). */
final class Views {
    private Views() {}

    static Map<String, Object> record(ControlRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pair", r.pairName());
        m.put("state", r.state());
        m.put("activeRegion", r.activeRegion());
        m.put("direction", r.direction() == null ? null : r.direction().toString());
        m.put("epoch", r.epoch());
        m.put("version", r.version());
        m.put("automationPaused", r.automationPaused());
        m.put("producersPaused", r.producersPaused());
        m.put("updatedAt", r.updatedAt().toString());
        Operation op = OperationCodec.fromJson(r.operation());
        if (op == null) {
            m.put("operation", null);
        } else {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("id", op.id());
            o.put("type", op.type().name());
            o.put("step", op.finished() ? null : op.step().name());
            o.put("stepNumber", op.currentStep() + 1);
            o.put("steps", op.steps().stream().map(Enum::name).toList());
            o.put("startedAt", op.startedAt().toString());
            o.put("updatedAt", op.updatedAt().toString());
            m.put("operation", o);
        }
        return m;
    }

    static List<Map<String, Object>> progress(List<ShardProgress> rows, Instant now) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ShardProgress p : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("sourceShardId", p.sourceShardId());
            m.put("lastSequenceNumber", p.lastSequenceNumber());
            m.put("millisBehindLatest", p.millisBehindLatest());
            m.put("recordsReplicated", p.recordsReplicated());
            m.put("targetShardId", p.targetShardId());
            m.put("targetSequenceNumber", p.targetSequenceNumber());
            m.put("shardFinished", p.shardFinished());
            m.put("updatedAgoMillis", now.toEpochMilli() - p.updatedEpochMillis());
            out.add(m);
        }
        return out;
    }

    static Map<String, Object> audit(AuditEntry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", e.at().toString());
        m.put("kind", e.kind().name());
        m.put("message", e.message());
        m.put("evidence", e.evidence());
        return m;
    }

    static Map<String, Object> report(OperationDriver.Report r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("result", r.result().name());
        m.put("message", r.message());
        m.put("operationId", r.operationId());
        m.put("tookMillis", r.took().toMillis());
        m.put("record", record(r.record()));
        return m;
    }

    static Map<String, Object> plan(OperationDriver.Plan plan) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dryRun", true);
        m.put("transition", plan.transition());
        m.put("allowed", plan.allowed());
        List<Map<String, Object>> steps = new ArrayList<>();
        for (OperationDriver.PlannedStep s : plan.steps()) {
            Map<String, Object> step = new LinkedHashMap<>();
            step.put("step", s.step().name());
            step.put("calls", s.calls().stream().map(ApiCall::toString).toList());
            steps.add(step);
        }
        m.put("steps", steps);
        return m;
    }

    static String text(OperationDriver.Plan plan) {
        StringBuilder b =
                new StringBuilder("dry run: ").append(plan.transition()).append('\n');
        int n = 1;
        for (OperationDriver.PlannedStep s : plan.steps()) {
            b.append("  ").append(n++).append(". ").append(s.step()).append('\n');
            for (ApiCall c : s.calls()) {
                b.append("       ").append(c).append('\n');
            }
            if (s.calls().isEmpty()) {
                b.append("       (no mutating call)\n");
            }
        }
        return b.append("nothing was changed").toString();
    }
}
