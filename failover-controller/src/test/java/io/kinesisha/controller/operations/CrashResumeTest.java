package io.kinesisha.controller.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kinesisha.common.control.AuditEntry;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.controller.operations.OperationDriver.Report;
import io.kinesisha.controller.operations.OperationDriver.Result;
import io.kinesisha.controller.operations.steps.StepParameters;
import io.kinesisha.controller.statemachine.OperationRunner;
import io.kinesisha.controller.statemachine.OperationType;
import io.kinesisha.controller.statemachine.PairEvent;
import io.kinesisha.controller.statemachine.Step;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A controller that dies right after any step's action took effect, before the step was recorded: a new controller
 * resumes at the recorded step, re-runs it without a second effect, and ends exactly where an uninterrupted run
 * ends (state, active region, direction, epoch, producers flag), each step completed once in the audit.
 */
class CrashResumeTest {
    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension();

    @RegisterExtension
    static final LocalPairs PAIRS = new LocalPairs(LOCAL, "crash");

    private static final Map<OperationType, ControlRecord> REFERENCE = new HashMap<>();
    private final List<String> progress = new CopyOnWriteArrayList<>();

    static Stream<Arguments> everyStep() {
        List<Arguments> cases = new ArrayList<>();
        for (OperationType type : OperationType.values()) {
            for (Step step : type.steps()) {
                cases.add(Arguments.of(type, step));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}, crash after {1}")
    @MethodSource("everyStep")
    void aCrashAfterAnyStepResumesToTheSameEndState(OperationType type, Step crashAfter) throws Exception {
        ControlRecord expected = reference(type);
        PairContext ctx = pair();
        start(ctx, type);
        Step[] crashed = new Step[1];
        assertThatThrownBy(() -> new OperationRunner(ctx.control()).run(ctx.pair(), (step, op, record) -> {
                    var result = new OperationDriver(ctx, progress::add)
                            .handler(type)
                            .run(step, op, record);
                    if (step == crashAfter) {
                        crashed[0] = step;
                        throw new IllegalStateException("controller crashed after " + step);
                    }
                    return result;
                }))
                .hasMessageContaining("controller crashed");
        assertThat(crashed[0]).isEqualTo(crashAfter);

        Report resumed = new OperationDriver(ctx, progress::add).resume();

        assertThat(resumed.result()).as(resumed.message()).isEqualTo(Result.COMPLETED);
        ControlRecord end = ctx.control().read(ctx.pair());
        assertThat(end.state()).isEqualTo(expected.state());
        assertThat(end.activeRegion()).isEqualTo(expected.activeRegion());
        assertThat(end.direction()).isEqualTo(expected.direction());
        assertThat(end.epoch()).as("no fencing applied twice").isEqualTo(expected.epoch());
        assertThat(end.producersPaused()).isEqualTo(expected.producersPaused());
        List<AuditEntry> trail = ctx.store().readAudit(ctx.pair(), 400);
        for (Step step : type.steps()) {
            long times = type.steps().stream().filter(step::equals).count();
            assertThat(trail)
                    .as("step %s completed %d time(s)", step, times)
                    .filteredOn(a -> a.message().equals("completed step " + step)
                            && a.evidence().getOrDefault("operation", "").startsWith(type.name()))
                    .hasSize((int) times);
        }
        if (type == OperationType.FAILBACK) {
            assertThat(StreamPayloads.read(ctx, ctx.secondaryRegion()))
                    .as("every orphan copied into the secondary exactly once")
                    .containsExactlyInAnyOrderElementsOf(ORPHANS);
        }
    }

    private static final List<String> ORPHANS =
            java.util.stream.IntStream.range(0, 20).mapToObj(i -> "orphan-" + i).toList();

    private ControlRecord reference(OperationType type) throws Exception {
        ControlRecord known = REFERENCE.get(type);
        if (known != null) {
            return known;
        }
        PairContext ctx = pair();
        start(ctx, type);
        Report report = new OperationDriver(ctx, progress::add).resume();
        assertThat(report.result()).as(report.message()).isEqualTo(Result.COMPLETED);
        ControlRecord end = ctx.control().read(ctx.pair());
        REFERENCE.put(type, end);
        return end;
    }

    private void start(PairContext ctx, OperationType type) throws Exception {
        if (type == OperationType.FAILBACK) {
            // the primary acknowledged records no replicator copied, then failed over: orphans to reconcile
            var entries = ORPHANS.stream()
                    .map(p -> software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry.builder()
                            .partitionKey(p)
                            .data(software.amazon.awssdk.core.SdkBytes.fromUtf8String(p))
                            .build())
                    .toList();
            ctx.kinesis(ctx.primaryRegion())
                    .putRecords(
                            b -> b.streamARN(ctx.streamArn(ctx.primaryRegion())).records(entries));
            Report failover = new OperationDriver(ctx, progress::add).failover("crash test setup");
            assertThat(failover.result()).as(failover.message()).isEqualTo(Result.COMPLETED);
        }
        ControlRecord record = ctx.control().read(ctx.pair());
        Map<String, String> params = new HashMap<>(OperationDriver.failoverParameters(record));
        PairEvent event = PairEvent.FAILOVER_REQUESTED;
        if (type == OperationType.SWITCHOVER) {
            params.put(StepParameters.DRAIN_TIMEOUT.key(), "10000");
            params.put(StepParameters.PAUSE_GRACE.key(), "50");
            event = PairEvent.SWITCHOVER_REQUESTED;
        }
        if (type == OperationType.FAILBACK) {
            params.put(StepParameters.DRAIN_TIMEOUT.key(), "10000");
            params.put(StepParameters.PAUSE_GRACE.key(), "50");
            params.put(StepParameters.DWELL.key(), "0");
            params.put(StepParameters.CATCH_UP_TIMEOUT.key(), "10000");
            event = PairEvent.FAILBACK_REQUESTED;
        }
        ctx.control().fire(ctx.pair(), event, params, Map.of("reason", "crash test"));
    }

    private PairContext pair() {
        return PAIRS.open(1);
    }
}
