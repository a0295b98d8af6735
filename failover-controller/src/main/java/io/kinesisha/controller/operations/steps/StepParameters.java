package io.kinesisha.controller.operations.steps;

import io.kinesisha.common.control.ReplicationDirection;
import java.time.Duration;
import java.time.Instant;

/**
 * The parameters steps share through the persisted operation, set when the operation starts or by an earlier
 * step. The keys are the stored form: renaming one would strand an operation a crashed controller recorded.
 */
public final class StepParameters {
    /** The direction being replaced (empty: none), as it was when the operation started or a step replaced it. */
    public static final Param<ReplicationDirection> FROM_DIRECTION = Param.direction("from.direction");

    public static final Param<Long> FROM_EPOCH = Param.number("from.epoch");
    /** The switchover barrier's bound. */
    public static final Param<Duration> DRAIN_TIMEOUT = Param.millis("drain.timeoutMillis");
    /** How long after the pause the barrier waits at least, for writes a producer started before it saw the pause. */
    public static final Param<Duration> PAUSE_GRACE = Param.millis("pause.graceMillis");

    public static final Param<Instant> PAUSED_AT = Param.instant("producers.pausedAt");
    /** A producer function's reserved concurrency before the pause ("none": unreserved). */
    public static final Param.Family PREVIOUS_CONCURRENCY = new Param.Family("producer.previousConcurrency.");
    /** Audit evidence of a producer a failover could not resume: its saved concurrency, for the failback. */
    public static final Param.Family PENDING_RESUME = new Param.Family("producer.pendingResume.");

    public static final Param<Instant> CONSUMER_START = Param.instant("consumer.startTimestamp");
    public static final Param<String> CONSUMER_START_METHOD = Param.text("consumer.startMethod");
    /** Where SDK consumers resume in the target, per source shard ({@code <target shard>@<sequence>}). */
    public static final Param.Family CONSUMER_POSITION = new Param.Family("consumer.position.");

    public static final Param<Instant> FENCED_AT = Param.instant("fence.at");
    public static final Param<Duration> SETTLE = Param.millis("fence.settleMillis");
    /** How long the primary must stay healthy before a failback moves ({@code CHECK_PRIMARY_HEALTH}). */
    public static final Param<Duration> DWELL = Param.millis("health.dwellMillis");

    public static final Param<Duration> CATCH_UP_TIMEOUT = Param.millis("catchUp.timeoutMillis");

    private StepParameters() {}
}
