package io.kinesisha.cli.control;

import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.controller.operations.PairContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a failover, switchover or failback moves for this pair, and what it leaves where it is. An operator must
 * know before an outage which writers and readers will follow the active region and which need their own runbook.
 */
final class Coverage {
    /** Kinds of clients the controller never moves, whatever the configuration. */
    static final List<String> NEVER_MOVED = List.of(
            "KPL producer processes (unless they resolve the region with ActiveRegionResolver)",
            "Kinesis Data Firehose delivery streams reading or writing the stream",
            "AWS IoT rules, CloudWatch Logs subscriptions, EventBridge Pipes and other AWS services writing to the stream",
            "KCL applications not named in consumers.kcl-applications",
            "any producer or consumer not listed under 'moves'");

    private Coverage() {}

    static Map<String, Object> of(PairContext ctx) {
        Map<String, Object> moves = new LinkedHashMap<>();
        List<String> producers = new ArrayList<>();
        producers.add(
                "SDK producers that follow the control record with ActiveRegionResolver (src-common): region and pause flag");
        ctx.producerFunctions()
                .forEach(fn -> producers.add("Lambda producer " + fn
                        + ": paused (reserved concurrency 0) and pointed at the active stream (environment)"));
        moves.put("producers", producers);
        List<String> consumers = new ArrayList<>();
        ctx.consumerFunctions()
                .forEach(fn -> consumers.add("Lambda consumer " + fn
                        + ": event source mapping recreated on the active stream at the function's own translated position"
                        + " (AT_TIMESTAMP), the other disabled"));
        ctx.config()
                .kclApplications()
                .forEach(app -> consumers.add("KCL application " + app.name()
                        + ": the lease table of the active region (" + app.leaseTables() + ") rewritten at each shard's"
                        + " translated checkpoint; stop the application in the old region before, start it against the new"
                        + " stream after (runbooks/manual-failover.md)"));
        moves.put("consumers", consumers);
        ReplicationDirection forward = new ReplicationDirection(ctx.primaryRegion(), ctx.secondaryRegion());
        List<String> replication = new ArrayList<>();
        ctx.replicatorApplication(forward)
                .ifPresentOrElse(
                        app -> replication.add("Managed Flink applications " + app + " and "
                                + ctx.replicatorApplication(forward.reversed()).orElseThrow()
                                + ": the permitted direction runs, the other is stopped"),
                        () -> replication.add(
                                "replicators following the control record (replicate --follow); a job under an "
                                        + "older epoch or direction is fenced and stops writing"));
        moves.put("replication", replication);
        Map<String, Object> coverage = new LinkedHashMap<>();
        coverage.put("moves", moves);
        coverage.put("notMoved", NEVER_MOVED);
        return coverage;
    }
}
