package io.kinesisha.controller.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The whole transition table, written out independently of the implementation: one row per (state, event). */
class StateMachineTest {
    private static final String REJECTED = "REJECTED";

    /** state, event, expected target (or REJECTED), operation started (or "-"). */
    private static final List<String[]> EXPECTED = Stream.of(
                    "ACTIVE_PRIMARY   PRIMARY_UNHEALTHY    FAILING_OVER     FAILOVER",
                    "ACTIVE_PRIMARY   FAILOVER_REQUESTED   FAILING_OVER     FAILOVER",
                    "ACTIVE_PRIMARY   SWITCHOVER_REQUESTED SWITCHING_OVER   SWITCHOVER",
                    "ACTIVE_PRIMARY   FAILBACK_REQUESTED   REJECTED         -",
                    "ACTIVE_PRIMARY   OPERATION_COMPLETED  REJECTED         -",
                    "ACTIVE_PRIMARY   OPERATION_ABORTED    REJECTED         -",
                    "FAILING_OVER     PRIMARY_UNHEALTHY    REJECTED         -",
                    "FAILING_OVER     FAILOVER_REQUESTED   REJECTED         -",
                    "FAILING_OVER     SWITCHOVER_REQUESTED REJECTED         -",
                    "FAILING_OVER     FAILBACK_REQUESTED   REJECTED         -",
                    "FAILING_OVER     OPERATION_COMPLETED  ACTIVE_SECONDARY -",
                    "FAILING_OVER     OPERATION_ABORTED    REJECTED         -",
                    "SWITCHING_OVER   PRIMARY_UNHEALTHY    FAILING_OVER     FAILOVER",
                    "SWITCHING_OVER   FAILOVER_REQUESTED   FAILING_OVER     FAILOVER",
                    "SWITCHING_OVER   SWITCHOVER_REQUESTED REJECTED         -",
                    "SWITCHING_OVER   FAILBACK_REQUESTED   REJECTED         -",
                    "SWITCHING_OVER   OPERATION_COMPLETED  ACTIVE_SECONDARY -",
                    "SWITCHING_OVER   OPERATION_ABORTED    ACTIVE_PRIMARY   -",
                    "ACTIVE_SECONDARY PRIMARY_UNHEALTHY    REJECTED         -",
                    "ACTIVE_SECONDARY FAILOVER_REQUESTED   REJECTED         -",
                    "ACTIVE_SECONDARY SWITCHOVER_REQUESTED REJECTED         -",
                    "ACTIVE_SECONDARY FAILBACK_REQUESTED   FAILING_BACK     FAILBACK",
                    "ACTIVE_SECONDARY OPERATION_COMPLETED  REJECTED         -",
                    "ACTIVE_SECONDARY OPERATION_ABORTED    REJECTED         -",
                    "FAILING_BACK     PRIMARY_UNHEALTHY    REJECTED         -",
                    "FAILING_BACK     FAILOVER_REQUESTED   REJECTED         -",
                    "FAILING_BACK     SWITCHOVER_REQUESTED REJECTED         -",
                    "FAILING_BACK     FAILBACK_REQUESTED   REJECTED         -",
                    "FAILING_BACK     OPERATION_COMPLETED  ACTIVE_PRIMARY   -",
                    "FAILING_BACK     OPERATION_ABORTED    ACTIVE_SECONDARY -")
            .map(line -> line.trim().split("\\s+"))
            .toList();

    private final StateMachine machine = new StateMachine();

    static Stream<Arguments> rows() {
        return EXPECTED.stream().map(r -> Arguments.of(PairState.valueOf(r[0]), PairEvent.valueOf(r[1]), r[2], r[3]));
    }

    @ParameterizedTest(name = "{0} x {1} -> {2} {3}")
    @MethodSource("rows")
    void everyStateAndEventHasTheExpectedAnswer(PairState state, PairEvent event, String target, String starts) {
        Transition t = machine.on(state, event);

        assertThat(t.from()).isEqualTo(state);
        assertThat(t.event()).isEqualTo(event);
        if (target.equals(REJECTED)) {
            assertThat(t.allowed()).as(t.toString()).isFalse();
            assertThat(t.to()).isNull();
            assertThat(t.rejection()).isNotBlank();
        } else {
            assertThat(t.allowed()).as(t.toString()).isTrue();
            assertThat(t.to()).isEqualTo(PairState.valueOf(target));
            assertThat(t.rejection()).isNull();
        }
        assertThat(t.starts()).isEqualTo(starts.equals("-") ? null : OperationType.valueOf(starts));
    }

    @Test
    void theExpectedTableCoversEveryPairExactlyOnce() {
        Set<String> seen = new HashSet<>();
        for (String[] row : EXPECTED) {
            assertThat(seen.add(row[0] + "/" + row[1]))
                    .as("duplicate row " + row[0] + " " + row[1])
                    .isTrue();
        }
        assertThat(seen).hasSize(PairState.values().length * PairEvent.values().length);
    }

    @Test
    void everyMovingStateRunsAnOperationAndOnlyMovingStatesDo() {
        for (PairState s : PairState.values()) {
            assertThat(s.resting()).isEqualTo(s.operation() == null);
        }
        assertThat(EnumSet.allOf(PairState.class).stream()
                        .filter(s -> !s.resting())
                        .map(PairState::operation))
                .containsExactlyInAnyOrder(OperationType.values());
    }

    @Test
    void everyOperationIsReachableAndEveryRestingStateIsReachedByCompletingOrAborting() {
        Set<PairState> reached = EnumSet.noneOf(PairState.class);
        for (PairState s : PairState.values()) {
            for (PairEvent e : PairEvent.values()) {
                Transition t = machine.on(s, e);
                if (t.allowed()) {
                    reached.add(t.to());
                }
            }
        }
        assertThat(reached).containsExactlyInAnyOrder(PairState.values());
    }
}
