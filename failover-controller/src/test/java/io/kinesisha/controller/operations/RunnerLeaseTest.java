package io.kinesisha.controller.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.kinesisha.common.control.AuditEntry;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.controller.operations.OperationDriver.Report;
import io.kinesisha.controller.operations.OperationDriver.Result;
import io.kinesisha.controller.operations.steps.StepParameters;
import io.kinesisha.controller.statemachine.OperationRunner;
import io.kinesisha.controller.statemachine.OperationType;
import io.kinesisha.controller.statemachine.PairEvent;
import io.kinesisha.controller.statemachine.Step;
import io.kinesisha.testkit.LocalEnvironment;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/**
 * One operation, several runners: a second controller (an overlapping Lambda invocation, the CLI) started at any
 * step of a failback makes no side effect of its own, and an abort racing any step never leaves producers paused.
 * And a failover whose failed region's Lambda API is down still completes; that region's producers resume at
 * failback. Side effects are counted per function on a recording Lambda fake.
 */
class RunnerLeaseTest {
    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension();

    private static final List<String> ORPHANS =
            IntStream.range(0, 10).mapToObj(i -> "orphan-" + i).toList();
    private static int count;

    private final FakeLambda lambda = new FakeLambda();
    private final List<PairContext> opened = new ArrayList<>();
    private final List<String> progress = new CopyOnWriteArrayList<>();
    private LocalPair pair;
    private String primaryFn;
    private String secondaryFn;

    @AfterEach
    void close() {
        opened.forEach(PairContext::close);
        lambda.close();
    }

    static Stream<Step> failbackSteps() {
        return OperationType.FAILBACK.steps().stream().distinct();
    }

    @ParameterizedTest(name = "second runner starts at {0}")
    @MethodSource("failbackSteps")
    void aSecondRunnerOfTheSameOperationStandsDownAndEverySideEffectHappensOnce(Step at) throws Exception {
        PairContext a = failedOverPairInFailback();
        PairContext b = runner("lambda:second-invocation");
        Report[] second = new Report[1];

        Throwable failed = catchThrowable(() -> new OperationRunner(a.control()).run(a.pair(), (step, op, record) -> {
            if (step == at && second[0] == null) {
                second[0] = new OperationDriver(b, progress::add).resume();
            }
            return new OperationDriver(a, progress::add).handler(op.type()).run(step, op, record);
        }));

        ControlRecord end = a.control().read(a.pair());
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(failed).as("the first runner").isNull();
        soft.assertThat(end.state()).isEqualTo("ACTIVE_PRIMARY");
        soft.assertThat(end.producersPaused()).isFalse();
        for (String fn : List.of(primaryFn, secondaryFn)) {
            soft.assertThat(lambda.count(fn, "PutFunctionConcurrency", "0"))
                    .as("%s paused once", fn)
                    .isEqualTo(1);
            soft.assertThat(lambda.count(fn, "PutFunctionConcurrency", "5"))
                    .as("%s resumed once", fn)
                    .isEqualTo(1);
            soft.assertThat(lambda.count(fn, "UpdateFunctionConfiguration", null))
                    .as("%s redirected once", fn)
                    .isEqualTo(1);
            soft.assertThat(lambda.reservedConcurrency(fn))
                    .as("%s concurrency at the end", fn)
                    .isEqualTo(5);
        }
        soft.assertThat(StreamPayloads.read(a, a.secondaryRegion()).stream()
                        .filter(p -> p.startsWith("orphan-"))
                        .toList())
                .as("every orphan copied into the secondary exactly once")
                .containsExactlyInAnyOrderElementsOf(ORPHANS);
        soft.assertThat(second[0]).as("the second runner ran").isNotNull();
        if (second[0] != null) {
            soft.assertThat(second[0].result()).as(second[0].message()).isEqualTo(Result.LOST_RACE);
            soft.assertThat(second[0].message()).contains("lease");
        }
        soft.assertAll();
    }

    @ParameterizedTest(name = "abort races {0}")
    @MethodSource("failbackSteps")
    void anAbortRacingAnyStepNeverLeavesProducersPaused(Step at) throws Exception {
        PairContext a = failedOverPairInFailback();
        PairContext cli = runner("cli:operator");
        CompletableFuture<Report> abort = new CompletableFuture<>();
        AtomicBoolean raced = new AtomicBoolean();

        Throwable failed = catchThrowable(() -> new OperationRunner(a.control()).run(a.pair(), (step, op, record) -> {
            if (step == at && raced.compareAndSet(false, true)) {
                CompletableFuture.runAsync(() -> {
                    try {
                        abort.complete(new OperationDriver(cli, progress::add).abortFailback("abort races " + at));
                    } catch (RuntimeException e) {
                        abort.completeExceptionally(e);
                    }
                });
                // the abort has decided (refused, or recorded while this runner is inside the step)
                await().atMost(Duration.ofSeconds(20))
                        .until(() ->
                                abort.isDone() || a.control().read(a.pair()).operation() == null);
            }
            return new OperationDriver(a, progress::add).handler(op.type()).run(step, op, record);
        }));

        Report aborted = abort.get(60, TimeUnit.SECONDS);
        ControlRecord end = a.control().read(a.pair());
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(end.producersPaused()).as("producers flag").isFalse();
        for (String fn : List.of(primaryFn, secondaryFn)) {
            long paused = lambda.count(fn, "PutFunctionConcurrency", "0");
            long resumed = lambda.count(fn, "PutFunctionConcurrency", "5")
                    + lambda.count(fn, "DeleteFunctionConcurrency", null);
            soft.assertThat(lambda.reservedConcurrency(fn))
                    .as("%s concurrency at the end (calls %s)", fn, lambda.calls())
                    .isEqualTo(5);
            soft.assertThat(paused).as("%s paused at most once", fn).isLessThanOrEqualTo(1);
            soft.assertThat(resumed).as("%s resumed once per pause", fn).isEqualTo(paused);
        }
        if (aborted.result() == Result.ABORTED) {
            soft.assertThat(end.state()).as(aborted.message()).isEqualTo("ACTIVE_SECONDARY");
            soft.assertThat(end.operation()).isNull();
        } else {
            soft.assertThat(aborted.result()).as(aborted.message()).isEqualTo(Result.REJECTED);
            soft.assertThat(failed)
                    .as("the failback, not abortable any more, completes")
                    .isNull();
            soft.assertThat(end.state()).isEqualTo("ACTIVE_PRIMARY");
        }
        soft.assertAll();
    }

    @Test
    void anAbortArrivingWhileAProducerIsBeingPausedRestoresItsSavedConcurrency() throws Exception {
        PairContext a = failedOverPairInFailback();
        PairContext cli = runner("cli:operator");
        CompletableFuture<Report> abort = new CompletableFuture<>();
        AtomicBoolean raced = new AtomicBoolean();
        lambda.beforeMutation(call -> {
            if (call.operation().equals("PutFunctionConcurrency")
                    && "0".equals(call.value())
                    && raced.compareAndSet(false, true)) {
                CompletableFuture.runAsync(
                        () -> abort.complete(new OperationDriver(cli, progress::add).abortFailback("mid-pause")));
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> a.control().read(a.pair()).operation() == null);
            }
        });

        Report failback = new OperationDriver(a, progress::add).resume();

        Report aborted = abort.get(60, TimeUnit.SECONDS);
        assertThat(aborted.result()).as(aborted.message()).isEqualTo(Result.ABORTED);
        assertThat(failback.result()).as(failback.message()).isEqualTo(Result.LOST_RACE);
        assertThat(lambda.count(primaryFn, "PutFunctionConcurrency", "0"))
                .as("the pause in flight")
                .isEqualTo(1);
        assertThat(lambda.count(secondaryFn, "PutFunctionConcurrency", "0"))
                .as("the runner stood down before the next")
                .isZero();
        assertThat(lambda.reservedConcurrency(primaryFn))
                .as("restored to what it was, calls %s", lambda.calls())
                .isEqualTo(5);
        assertThat(lambda.reservedConcurrency(secondaryFn)).isEqualTo(5);
        assertThat(a.control().read(a.pair()).producersPaused()).isFalse();
    }

    @Test
    void aFailoverCompletesWhileTheFailedRegionsLambdaApiIsDownAndFailbackResumesItsProducers() throws Exception {
        PairContext a = newPair();
        // a switchover paused producers, then the primary was lost: the switchover escalates to a failover
        Map<String, String> params =
                new HashMap<>(OperationDriver.failoverParameters(a.control().read(a.pair())));
        params.put(StepParameters.DRAIN_TIMEOUT.key(), "10000");
        params.put(StepParameters.PAUSE_GRACE.key(), "50");
        assertThat(a.control()
                        .fire(a.pair(), PairEvent.SWITCHOVER_REQUESTED, params, Map.of("reason", "test"))
                        .applied())
                .isTrue();
        assertThatThrownBy(() -> new OperationRunner(a.control()).run(a.pair(), (step, op, record) -> {
                    if (step == Step.AWAIT_REPLICATION_DRAIN) {
                        throw new IllegalStateException("primary lost while draining");
                    }
                    return new OperationDriver(a, progress::add)
                            .handler(op.type())
                            .run(step, op, record);
                }))
                .hasMessageContaining("primary lost");
        assertThat(lambda.reservedConcurrency(primaryFn)).isZero();
        assertThat(lambda.reservedConcurrency(secondaryFn)).isZero();
        lambda.down(a.primaryRegion());

        Report failover = new OperationDriver(a, progress::add).failover("primary lost");

        assertThat(failover.result()).as(failover.message()).isEqualTo(Result.COMPLETED);
        ControlRecord after = a.control().read(a.pair());
        assertThat(after.state()).isEqualTo("ACTIVE_SECONDARY");
        assertThat(after.producersPaused())
                .as("SDK producers resume in the secondary")
                .isFalse();
        assertThat(lambda.reservedConcurrency(secondaryFn))
                .as("the secondary's producer resumed")
                .isEqualTo(5);
        assertThat(lambda.reservedConcurrency(primaryFn))
                .as("unreachable, left as is")
                .isZero();
        AuditEntry resume = a.store().readAudit(a.pair(), 100).stream()
                .filter(e -> e.message().equals("completed step RESUME_PRODUCERS"))
                .findFirst()
                .orElseThrow();
        assertThat(resume.evidence())
                .hasEntrySatisfying(
                        "producer." + primaryFn,
                        v -> assertThat(v)
                                .startsWith("skipped")
                                .contains(a.primaryRegion())
                                .contains("failback"));

        lambda.up(a.primaryRegion());
        Report failback = new OperationDriver(a, progress::add).failback(Duration.ZERO, "primary is back");

        assertThat(failback.result()).as(failback.message()).isEqualTo(Result.COMPLETED);
        assertThat(lambda.reservedConcurrency(primaryFn))
                .as("resumed at failback with its saved concurrency")
                .isEqualTo(5);
        assertThat(lambda.reservedConcurrency(secondaryFn)).isEqualTo(5);
        assertThat(a.control().read(a.pair()).producersPaused()).isFalse();
    }

    /** Orphans in the primary, a completed failover, then a failback recorded (not yet run); Lambda calls cleared. */
    private PairContext failedOverPairInFailback() throws Exception {
        PairContext ctx = newPair();
        List<PutRecordsRequestEntry> entries = ORPHANS.stream()
                .map(p -> PutRecordsRequestEntry.builder()
                        .partitionKey(p)
                        .data(SdkBytes.fromUtf8String(p))
                        .build())
                .toList();
        ctx.kinesis(ctx.primaryRegion())
                .putRecords(b -> b.streamARN(ctx.streamArn(ctx.primaryRegion())).records(entries));
        LocalPairs.failOverThenRequestFailback(ctx, progress::add);
        lambda.clearCalls();
        return ctx;
    }

    /** A pair with a producer function in each region (reserved concurrency 5) and its first record. */
    private PairContext newPair() {
        LocalEnvironment env = LOCAL.env();
        String name = "lease" + (++count);
        primaryFn = "arn:aws:lambda:" + env.primary().name() + ":123456789012:function:" + name + "-producer";
        secondaryFn = "arn:aws:lambda:" + env.secondary().name() + ":123456789012:function:" + name + "-producer";
        pair = new LocalPair(
                env,
                name,
                1,
                Map.of(
                        "failover.fence-settle-ms",
                        "0",
                        "producers.lambda-functions",
                        primaryFn + "," + secondaryFn,
                        "aws.max-attempts",
                        "2"));
        lambda.function(primaryFn, 5);
        lambda.function(secondaryFn, 5);
        PairContext ctx = runner("runner-a");
        ctx.store().createTableIfMissing();
        ctx.store()
                .create(ControlRecord.initial(
                        name, env.primary().name(), env.secondary().name(), Instant.now()));
        return ctx;
    }

    /** Another controller on the same pair, as a separate Lambda invocation or CLI process would be. */
    private PairContext runner(String actor) {
        PairContext ctx = PairContext.open(pair.config, actor, Clock.systemUTC(), lambda.endpoint());
        opened.add(ctx);
        return ctx;
    }
}
