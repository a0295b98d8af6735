package io.kinesisha.replicator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JobParallelismTest {
    @Test
    void oneSubtaskPerOpenShardUpToTwoPerCore() {
        assertThat(JobParallelism.forOpenShards(4, JobParallelism.cap(2))).isEqualTo(4);
        assertThat(JobParallelism.forOpenShards(1, JobParallelism.cap(2))).isEqualTo(1);
        assertThat(JobParallelism.forOpenShards(10, JobParallelism.cap(2))).isEqualTo(4);
        assertThat(JobParallelism.forOpenShards(0, JobParallelism.cap(2)))
                .as("a stream mid-reshard reports 0")
                .isEqualTo(1);
        assertThat(JobParallelism.cap(64)).isEqualTo(JobParallelism.MAX);
        assertThat(JobParallelism.cap(0)).isEqualTo(1);
    }
}
