package io.kinesisha.controller.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.kinesisha.common.config.ConfigLoader;
import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.controller.lambda.ControllerEvent.InvalidEventException;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.controller.runtime.ControllerTick;
import io.kinesisha.controller.runtime.EvidenceCollector;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The controller as a Lambda function: invoked by EventBridge for CloudWatch alarm state changes and on a
 * schedule, it runs one {@link ControllerTick} (resume an unfinished failover, or evaluate the primary and fail
 * over). Configuration comes from {@code KINESIS_HA_*} environment variables. A malformed or unexpected event is
 * logged with the field that is wrong and answered with {@code status=REJECTED}; nothing is touched.
 */
public final class ControllerHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private final Supplier<ControllerTick> tickFactory;
    private final Consumer<String> fallbackLog;
    private ControllerTick tick;

    /** The Lambda runtime's constructor: configuration from the environment, clients made on the first event. */
    public ControllerHandler() {
        this(ControllerHandler::fromEnvironment, System.err::println);
    }

    /** For tests: {@code tickFactory} builds the round on first use; {@code log} sees every log line. */
    public ControllerHandler(Supplier<ControllerTick> tickFactory, Consumer<String> log) {
        this.tickFactory = tickFactory;
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
        try {
            ControllerTick.Result r = tick().tick();
            log(context, "kinesis-ha controller: " + parsed.kind() + (parsed.alarmName() == null ? "" : " "
                    + parsed.alarmName() + "=" + parsed.alarmState()) + " -> " + r);
            result.put("status", "OK");
            result.put("action", r.action());
            result.put("detail", r.detail());
            if (r.decision() != null) {
                result.put("decision", r.decision().name());
            }
            return result;
        } catch (Exception e) {
            log(context, "kinesis-ha controller: round failed: " + e);
            result.put("status", "ERROR");
            result.put("error", e.toString());
            return result;
        }
    }

    private synchronized ControllerTick tick() {
        if (tick == null) {
            tick = tickFactory.get();
        }
        return tick;
    }

    private void log(Context context, String line) {
        if (context != null && context.getLogger() != null) {
            context.getLogger().log(line + "\n");
        } else {
            fallbackLog.accept(line);
        }
    }

    private static ControllerTick fromEnvironment() {
        ReplicationPairConfig config = ConfigLoader.load(null, System.getenv(), Map.of());
        String region = System.getenv().getOrDefault("AWS_REGION", "unknown-region");
        PairContext ctx = PairContext.open(config, "lambda:" + region, Clock.systemUTC());
        return new ControllerTick(ctx, new EvidenceCollector(ctx, !EvidenceCollector.isLocal(ctx)), line -> { },
                ControllerTick.DEFAULT_STALE_OPERATION);
    }
}
