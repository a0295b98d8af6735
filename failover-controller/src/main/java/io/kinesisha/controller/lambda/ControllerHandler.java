package io.kinesisha.controller.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTargets;
import io.kinesisha.common.config.ConfigLoader;
import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.common.control.DeliveryLog;
import io.kinesisha.controller.lambda.ControllerEvent.InvalidEventException;
import io.kinesisha.controller.metrics.CloudWatchControllerMetrics;
import io.kinesisha.controller.metrics.ControllerMetrics;
import io.kinesisha.controller.metrics.RoundReporter;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.controller.runtime.ControllerTick;
import io.kinesisha.controller.runtime.EvidenceCollector;
import io.kinesisha.controller.runtime.ProbeWindow;
import io.kinesisha.controller.time.ControllerTime;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;

/**
 * The controller as a Lambda function: invoked by the CloudWatch alarms' Lambda actions (or EventBridge alarm state
 * changes) and on a schedule, it runs {@link ControllerTick}s (resume an unfinished failover, or evaluate the
 * primary and fail over) every probe interval for most of the invocation ({@link ProbeWindow}), so three bad
 * evaluations take seconds, not three scheduled minutes; the window ends {@link #INVOCATION_WINDOW} after the start
 * and at least {@link #FAILOVER_RESERVE} before the function's timeout. After each round it publishes the pair's
 * metrics to CloudWatch in its region ({@link RoundReporter}). Configuration comes from {@code KINESIS_HA_*}
 * environment variables. A malformed or
 * unexpected event is logged with the field that is wrong and answered with {@code status=REJECTED}; nothing is
 * touched. Each delivery is claimed in the control table first, so one alarm state change delivered twice - to this
 * or another execution environment - runs one round ({@code status=DUPLICATE} for the others); a failed round
 * (a failed step included) releases it and fails the invocation ({@link RoundFailedException}), so Lambda counts
 * an error and retries.
 */
public final class ControllerHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    /** A claim older than this belongs to an invocation that died (the function's timeout is 120 s). */
    static final Duration ABANDONED_AFTER = Duration.ofMinutes(5);
    /**
     * Rounds start within this long of the invocation's start: the schedule is 1 minute, so the next invocation
     * starts about 10 s after the last round here (reserved concurrency 1 makes an overlap wait, not run twice).
     */
    public static final Duration INVOCATION_WINDOW = Duration.ofSeconds(50);
    /** Left of the function's time after the last round starts: a failover it begins runs to its end. */
    public static final Duration FAILOVER_RESERVE = Duration.ofSeconds(60);

    /** One controller round. */
    @FunctionalInterface
    public interface Round {
        ControllerTick.Result run() throws Exception;
    }

    /**
     * What the handler runs events with: the round, where the pair's handled deliveries are recorded, and how
     * rounds repeat within one invocation.
     */
    public record Services(Round round, DeliveryLog deliveries, String pair, Clock clock, ProbeWindow window) {
        /** One round per event. */
        public Services(Round round, DeliveryLog deliveries, String pair, Clock clock) {
            this(round, deliveries, pair, clock, ProbeWindow.SINGLE);
        }
    }

    /**
     * Thrown after a failed round has been logged and recorded: the invocation fails, so Lambda's Errors metric
     * (and the alarm on it) sees the failure and an asynchronous invocation is retried.
     */
    public static final class RoundFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RoundFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Supplier<Services> servicesFactory;
    private final Consumer<String> fallbackLog;
    private Services services;

    /** The Lambda runtime's constructor: configuration from the environment, clients made on the first event. */
    public ControllerHandler() {
        this(ControllerHandler::fromEnvironment, System.err::println);
    }

    /** For tests: {@code services} are built on first use (again after a failure); {@code log} sees every line. */
    public ControllerHandler(Supplier<Services> services, Consumer<String> log) {
        this.servicesFactory = services;
        this.fallbackLog = log;
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        Map<String, Object> result = new LinkedHashMap<>();
        ControllerEvent parsed;
        try {
            parsed = ControllerEvent.parse(event);
        } catch (InvalidEventException e) {
            log(context, "kinesis-ha controller: rejected event, no action taken: " + e.getMessage());
            result.put("status", "REJECTED");
            result.put("error", e.getMessage());
            return result;
        }
        result.put("trigger", parsed.kind().name());
        result.put("eventId", parsed.id());
        if (parsed.kind() == ControllerEvent.Kind.ALARM_STATE_CHANGE && !parsed.alarming()) {
            log(context, "kinesis-ha controller: alarm " + parsed.alarmName() + " is OK; nothing to do");
            result.put("status", "IGNORED");
            result.put("reason", "alarm " + parsed.alarmName() + " state OK");
            return result;
        }
        String trigger = parsed.kind()
                + (parsed.alarmName() == null
                        ? ""
                        : " " + parsed.alarmName() + " " + parsed.previousState() + "->" + parsed.alarmState() + " at "
                                + parsed.stateChangedAt());
        String owner = context != null && context.getAwsRequestId() != null
                ? context.getAwsRequestId()
                : UUID.randomUUID().toString();
        Services s;
        try {
            s = services();
            if (!s.deliveries()
                    .claim(s.pair(), parsed.deliveryKey(), owner, s.clock().instant(), ABANDONED_AFTER)) {
                log(context, "kinesis-ha controller: " + trigger + " was delivered before; acted on once already");
                result.put("status", "DUPLICATE");
                result.put("deliveryKey", parsed.deliveryKey());
                return result;
            }
        } catch (Exception e) {
            log(context, "kinesis-ha controller: round failed: " + e);
            throw new RoundFailedException(trigger + ": round failed before it started: " + e, e);
        }
        ControllerTick.Result r;
        ProbeWindow.Outcome ran;
        try {
            ran = window(s.window(), context).run(s.round()::run);
            r = ran.last();
        } catch (Exception e) {
            log(context, "kinesis-ha controller: round failed: " + e);
            finish(s, parsed, owner, DeliveryLog.Status.FAILED, context);
            throw new RoundFailedException(trigger + ": round failed: " + e, e);
        }
        finish(s, parsed, owner, DeliveryLog.Status.DONE, context);
        log(context, "kinesis-ha controller: " + trigger + " -> " + r);
        result.put("status", "OK");
        result.put("action", r.action());
        result.put("detail", r.detail());
        result.put("rounds", ran.rounds());
        if (r.decision() != null) {
            result.put("decision", r.decision().name());
        }
        return result;
    }

    /** Records the round's outcome; if that fails the claim stays RUNNING and a redelivery acts after it is abandoned. */
    private void finish(Services s, ControllerEvent parsed, String owner, DeliveryLog.Status status, Context context) {
        try {
            s.deliveries()
                    .finish(
                            s.pair(),
                            parsed.deliveryKey(),
                            owner,
                            status,
                            s.clock().instant());
        } catch (RuntimeException e) {
            log(
                    context,
                    "kinesis-ha controller: could not record " + status + " for " + parsed.deliveryKey()
                            + " (a redelivery acts again after " + ABANDONED_AFTER + "): " + e);
        }
    }

    /** The window, shortened so that the last round starts {@link #FAILOVER_RESERVE} before the timeout. */
    private static ProbeWindow window(ProbeWindow w, Context context) {
        if (context == null || context.getRemainingTimeInMillis() <= 0) {
            return w;
        }
        Duration left = Duration.ofMillis(context.getRemainingTimeInMillis()).minus(FAILOVER_RESERVE);
        return left.compareTo(w.window()) >= 0 ? w : w.withWindow(left.isNegative() ? Duration.ZERO : left);
    }

    private synchronized Services services() {
        if (services == null) {
            services = servicesFactory.get();
        }
        return services;
    }

    private void log(Context context, String line) {
        if (context != null && context.getLogger() != null) {
            context.getLogger().log(line + "\n");
        } else {
            fallbackLog.accept(line);
        }
    }

    private static Services fromEnvironment() {
        ReplicationPairConfig config = ConfigLoader.load(null, System.getenv(), Map.of());
        String region = System.getenv().getOrDefault("AWS_REGION", "unknown-region");
        PairContext ctx = PairContext.open(config, "lambda:" + region, ControllerTime.system());
        boolean local = EvidenceCollector.isLocal(ctx);
        ControllerTick tick = new ControllerTick(
                ctx, new EvidenceCollector(ctx, !local), line -> {}, ControllerTick.DEFAULT_STALE_OPERATION);
        RoundReporter reporter = new RoundReporter(
                ctx, local ? (pair, m) -> {} : cloudWatchMetrics(config, ctx.clock()), System.err::println);
        return new Services(
                () -> {
                    ControllerTick.Result r = tick.tick();
                    reporter.report(r);
                    return r;
                },
                ctx.deliveries(),
                ctx.pair(),
                ctx.clock(),
                new ProbeWindow(config.health().probeInterval(), INVOCATION_WINDOW, ctx.time()));
    }

    /** CloudWatch of the controller's own region (its control region), where its dashboard reads the metrics. */
    private static ControllerMetrics cloudWatchMetrics(ReplicationPairConfig config, Clock clock) {
        CloudWatchClient client = new AwsClientFactory(AwsTargets.tuning(config))
                .configure(
                        CloudWatchClient.builder(),
                        AwsTargets.controlStore(config).withEndpoint(null))
                .httpClientBuilder(ApacheHttpClient.builder())
                .build();
        return new CloudWatchControllerMetrics(client, clock);
    }
}
