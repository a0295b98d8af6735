package io.kinesisha.common.sizing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The sizing model, checked against figures worked out by hand from the unit prices. */
class PairCostTest {
    private static final UnitPrices PRICES = UnitPrices.US_EAST_1;

    @Test
    void twoMegabytesOnTwoShardsNeedOneSubtaskAndTwoBilledKpus() {
        PairCost cost = new PairCost(new ReplicatorCapacity(2, 2, 11.6, 2), PRICES);

        assertThat(cost.capacity().coresNeeded()).isCloseTo(4 / 11.6, within(1e-9));
        assertThat(cost.capacity().parallelism()).isEqualTo(1);
        assertThat(cost.kpus()).as("one subtask + the orchestration KPU").isEqualTo(2);
        assertThat(cost.gbPerMonth()).isCloseTo(5256, within(1e-6)); // 2 MB/s x 730 h x 3600 s / 1000
        assertThat(cost.flinkPerMonth()).isCloseTo(2 * 0.11 * 730 + 50 * 0.10, within(1e-6));
        assertThat(cost.efoPerMonth()).isCloseTo(2 * 0.015 * 730 + 5256 * 0.013, within(1e-6));
        assertThat(cost.transferPerMonth()).isCloseTo(5256 * 0.02, within(1e-6));
        assertThat(cost.totalPerMonth()).isCloseTo(360.948, within(1e-6));
    }

    @Test
    void theShardCountCapsTheParallelismAndSaysSo() {
        ReplicatorCapacity capped = new ReplicatorCapacity(8, 2, 2, 4);
        assertThat(capped.parallelism()).isEqualTo(4);
        assertThat(capped.cappedByShards()).isTrue();

        ReplicatorCapacity onDemand = new ReplicatorCapacity(8, 2, 2, 0);
        assertThat(onDemand.parallelism()).as("on-demand: no shard cap").isEqualTo(8);
        assertThat(onDemand.cappedByShards()).isFalse();

        assertThat(new ReplicatorCapacity(4, 1, 2, 8).parallelism())
                .as("exactly 2 cores: 2 subtasks")
                .isEqualTo(2);
    }

    @Test
    void impossibleInputIsRefused() {
        assertThatThrownBy(() -> new ReplicatorCapacity(0, 2, 11.6, 2)).hasMessageContaining("write rate > 0");
        assertThatThrownBy(() -> new ReplicatorCapacity(1, 0.5, 11.6, 2)).hasMessageContaining("catch-up factor >= 1");
    }
}
