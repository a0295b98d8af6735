package io.kinesisha.controller.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.controller.actions.ApiCall;
import io.kinesisha.controller.operations.steps.FenceReplication;
import io.kinesisha.controller.operations.steps.OperationStep;
import io.kinesisha.controller.operations.steps.StepParameters;
import io.kinesisha.controller.operations.steps.StepSupport;
import io.kinesisha.controller.statemachine.Operation;
import io.kinesisha.controller.statemachine.OperationCodec;
import io.kinesisha.controller.statemachine.OperationType;
import io.kinesisha.controller.statemachine.Step;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Operations as lists of step objects, without any service: each list is its type's persisted plan, a step is
 * found by its persisted name, an operation recorded by the controller before steps were objects resumes with its
 * steps and parameters, and the dry-run plan follows the active region through the activation.
 */
class OperationStepsTest {
    private static final ReplicationPairConfig CONFIG = ReplicationPairConfig.fromMap(Map.of(
            "pair.name", "orders",
            "primary.stream-arn", "arn:aws:kinesis:us-west-2:111111111111:stream/orders",
            "secondary.stream-arn", "arn:aws:kinesis:us-east-2:111111111111:stream/orders"));
    private static final String PRODUCER = "arn:aws:lambda:us-west-2:111111111111:function:orders-producer";
    /** A failback at its drain barrier, as OperationCodec wrote it before this refactoring (format unchanged). */
    private static final String RECORDED_FAILBACK =
            "{\"id\":\"7d3c1a52-5a36-4c52-9a53-2d7f4f0f4e11\",\"type\":\"FAILBACK\","
                    + "\"steps\":[\"CHECK_PRIMARY_HEALTH\",\"RECONCILE_ORPHANS\",\"REPLICATE_FROM_ACTIVE\",\"AWAIT_REPLICATION_CATCH_UP\","
                    + "\"PAUSE_PRODUCERS\",\"AWAIT_REPLICATION_DRAIN\",\"FENCE_REPLICATION\",\"MARK_CUT\",\"ACTIVATE_PRIMARY\","
                    + "\"REDIRECT_PRODUCERS\",\"START_CONSUMERS\",\"STOP_CONSUMERS\",\"RESUME_PRODUCERS\",\"REPLICATE_FROM_ACTIVE\"],"
                    + "\"currentStep\":5,\"startedAt\":\"2026-12-06T10:00:00Z\",\"updatedAt\":\"2026-12-06T10:02:00Z\","
                    + "\"parameters\":{\"catchUp.timeoutMillis\":\"10000\",\"drain.timeoutMillis\":\"30000\",\"from.direction\":"
                    + "\"us-east-2->us-west-2\",\"from.epoch\":\"4\",\"health.dwellMillis\":\"0\",\"pause.graceMillis\":\"1500\","
                    + "\"producer.previousConcurrency." + PRODUCER
                    + "\":\"5\",\"producers.pausedAt\":\"2026-12-06T10:01:59Z\"}}";

    private final PairContext ctx = PairContext.open(CONFIG, "test", Clock.systemUTC());
    private final StepSupport support = new StepSupport(ctx, line -> {});
    private final OperationDriver driver = new OperationDriver(ctx, line -> {});

    @AfterEach
    void close() {
        ctx.close();
    }

    @Test
    void everyOperationIsTheListOfItsPlannedSteps() {
        for (OperationType type : OperationType.values()) {
            assertThat(driver.handler(type).steps())
                    .extracting(OperationStep::id)
                    .as("%s", type)
                    .containsExactlyElementsOf(type.steps());
        }
    }

    @Test
    void aListThatDriftsFromThePlanIsRefusedAndSoIsAStepTheOperationDoesNotHave() {
        assertThatThrownBy(() -> new OperationSteps(OperationType.FAILOVER, List.of(new FenceReplication(support))))
                .hasMessageContaining("FAILOVER is planned as");
        assertThatThrownBy(() -> driver.handler(OperationType.FAILOVER).step(Step.PAUSE_PRODUCERS))
                .hasMessage("PAUSE_PRODUCERS is not a failover step");
    }

    @Test
    void anOperationRecordedBeforeStepsWereObjectsResumesWithItsStepsAndParameters() {
        Operation recorded = OperationCodec.fromJson(RECORDED_FAILBACK);

        assertThat(OperationCodec.toJson(recorded))
                .as("the stored form is unchanged")
                .isEqualTo(RECORDED_FAILBACK);
        OperationSteps failback = driver.handler(recorded.type());
        assertThat(recorded.steps())
                .allSatisfy(step -> assertThat(failback.step(step).id()).isEqualTo(step));
        assertThat(failback.step(recorded.step()).id()).isEqualTo(Step.AWAIT_REPLICATION_DRAIN);
        assertThat(StepParameters.DRAIN_TIMEOUT.in(recorded)).isEqualTo(Duration.ofSeconds(30));
        assertThat(StepParameters.PAUSE_GRACE.in(recorded)).isEqualTo(Duration.ofMillis(1500));
        assertThat(StepParameters.PAUSED_AT.in(recorded)).isEqualTo(Instant.parse("2026-12-06T10:01:59Z"));
        assertThat(StepParameters.CATCH_UP_TIMEOUT.in(recorded)).isEqualTo(Duration.ofSeconds(10));
        assertThat(StepParameters.DWELL.in(recorded)).isEqualTo(Duration.ZERO);
        assertThat(StepParameters.FROM_DIRECTION.in(recorded))
                .isEqualTo(new ReplicationDirection("us-east-2", "us-west-2"));
        assertThat(StepParameters.FROM_EPOCH.in(recorded)).isEqualTo(4L);
        assertThat(StepParameters.PREVIOUS_CONCURRENCY.of(PRODUCER).in(recorded))
                .isEqualTo("5");
        assertThat(StepParameters.FENCED_AT.in(recorded)).as("not set yet").isNull();
    }

    @Test
    void theFailbackPlanReplicatesBackThenForwardOnceThePrimaryIsActive() {
        ControlRecord failedOver = new ControlRecord(
                "orders",
                "us-east-2",
                new ReplicationDirection("us-east-2", "us-west-2"),
                4,
                "ACTIVE_SECONDARY",
                false,
                9,
                Instant.parse("2026-12-06T10:00:00Z"));
        List<String> replications = new ArrayList<>();
        String active = failedOver.activeRegion();
        for (OperationStep step : driver.handler(OperationType.FAILBACK).steps()) {
            List<ApiCall> calls = step.plan(failedOver, active);
            if (step.id() == Step.REPLICATE_FROM_ACTIVE) {
                replications.add(calls.get(0).toString());
            }
            active = step.activeAfter(active);
        }

        assertThat(active).isEqualTo("us-west-2");
        assertThat(replications).hasSize(2);
        assertThat(replications.get(0)).contains("direction=us-east-2->us-west-2");
        assertThat(replications.get(1)).contains("direction=us-west-2->us-east-2");
    }
}
