package io.kinesisha.controller.consumers;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.ShardProgress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where a Lambda consumer starts in the target, from its own position and the replicator's progress rows. The
 * outage is at 10:00:00; the last replicated record of an active shard arrived at 09:59:58; the cut is 10:00:10.
 */
class LambdaStartTest {
    private static final ReplicationDirection FORWARD = ReplicationDirection.parse("us-west-2->us-east-2");
    private static final Instant CUT = Instant.parse("2026-11-21T10:00:10Z");
    private static final Duration MARGIN = Duration.ofSeconds(5);

    @Test
    void aConsumerTwoMinutesBehindStartsAtItsOwnPositionLessTheMarginSoTheTwoMinutesAreProcessed() {
        ConsumerPosition behind = new ConsumerPosition("orders-consumer", at("09:58:00"), "IteratorAge 120 s at 09:59");

        LambdaStart s = LambdaStart.plan(
                behind,
                List.of(row("shard-0", "09:59:58", "10:00:01"), row("shard-1", "09:59:57", "10:00:01")),
                CUT,
                MARGIN);

        assertThat(s.timestamp())
                .as("not after the oldest record the consumer had not processed")
                .isEqualTo(at("09:57:55"));
        assertThat(s.behindShards()).containsExactly("shard-0", "shard-1");
        assertThat(s.margin()).isEqualTo(MARGIN);
        assertThat(s.skipsExcluded()).isTrue();
    }

    @Test
    void anIdleShardDoesNotDragTheStartBackWhenTheConsumerWasCaughtUp() {
        ConsumerPosition caughtUp = new ConsumerPosition("orders-consumer", at("09:59:59"), "IteratorAge 0 at 09:59");

        LambdaStart s = LambdaStart.plan(
                caughtUp,
                List.of(row("shard-0", "06:40:00", "06:40:01"), row("shard-1", "09:59:58", "09:59:59")),
                CUT,
                MARGIN);

        assertThat(s.timestamp())
                .as("the cut less the margin, not three hours back")
                .isEqualTo(at("10:00:05"));
        assertThat(s.behindShards()).isEmpty();
        assertThat(s.duplicateWindow()).isEqualTo(MARGIN);
    }

    @Test
    void anIdleShardDoesNotDragTheStartBackWhenTheConsumerWasBehindOnAnotherShard() {
        ConsumerPosition behind = new ConsumerPosition("orders-consumer", at("09:59:00"), "IteratorAge 60 s at 09:59");

        LambdaStart s = LambdaStart.plan(
                behind,
                List.of(row("shard-0", "06:40:00", "06:40:01"), row("shard-1", "09:59:58", "09:59:59")),
                CUT,
                MARGIN);

        assertThat(s.timestamp()).isEqualTo(at("09:58:55"));
        assertThat(s.behindShards()).containsExactly("shard-1");
        assertThat(s.duplicateWindow())
                .as("margin + the copy latency the progress row bounds (written 1 s after)")
                .isEqualTo(Duration.ofSeconds(6));
    }

    @Test
    void withoutTheConsumersPositionItGoesBackTheFallbackLookbackAndSaysSkipsAreNotExcluded() {
        LambdaStart s = LambdaStart.plan(
                ConsumerPosition.unknown("orders-consumer", "CloudWatch unreachable"),
                List.of(row("shard-0", "09:59:58", "10:00:01")),
                CUT,
                MARGIN);

        assertThat(s.timestamp())
                .isEqualTo(CUT.minus(LambdaStart.FALLBACK_LOOKBACK).minus(MARGIN));
        assertThat(s.skipsExcluded()).isFalse();
        assertThat(s.method()).contains("CloudWatch unreachable");
    }

    @Test
    void nothingReplicatedMeansNothingToReadAgain() {
        ConsumerPosition p = new ConsumerPosition("orders-consumer", at("09:00:00"), "idle");

        LambdaStart s = LambdaStart.plan(
                p,
                List.of(new ShardProgress(
                        "orders",
                        FORWARD,
                        3,
                        "shard-0",
                        null,
                        0,
                        0,
                        null,
                        null,
                        0,
                        1,
                        false,
                        at("10:00:00").toEpochMilli())),
                CUT,
                MARGIN);

        assertThat(s.timestamp()).isEqualTo(at("10:00:05"));
    }

    /** A progress row: the last replicated record arrived in the source at {@code arrival}; the row was written at {@code written}. */
    private static ShardProgress row(String shard, String arrival, String written) {
        return new ShardProgress(
                "orders",
                FORWARD,
                3,
                shard,
                "4960000000000000" + shard.charAt(6),
                at(arrival).toEpochMilli(),
                0,
                "shardId-000000000000",
                "4970000000",
                100,
                7,
                false,
                at(written).toEpochMilli());
    }

    private static Instant at(String time) {
        return Instant.parse("2026-11-21T" + time + "Z");
    }
}
