package io.kinesisha.replicator.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.replicator.ReplicatedRecord;
import io.kinesisha.replicator.ReplicatedRecordSchema;
import io.kinesisha.replicator.source.reader.fanout.FanOutShardConsumer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The builder's settings reach the config the readers get, and impossible ones are refused with their name. */
class KinesisSourceBuilderTest {
    private static KinesisSourceBuilder<ReplicatedRecord> builder() {
        return KinesisSource.<ReplicatedRecord>builder()
                .streamArn("arn:aws:kinesis:us-west-2:111111111111:stream/s")
                .target(AwsTarget.of("us-west-2"))
                .deserializer(new ReplicatedRecordSchema());
    }

    @Test
    void silenceTimeoutDefaultsTo15SecondsAndCanBeSet() {
        assertThat(builder().build().config().silenceTimeout())
                .isEqualTo(FanOutShardConsumer.DEFAULT_SILENCE_TIMEOUT)
                .isEqualTo(Duration.ofSeconds(15));
        assertThat(builder()
                        .silenceTimeout(Duration.ofSeconds(40))
                        .build()
                        .config()
                        .silenceTimeout())
                .isEqualTo(Duration.ofSeconds(40));
    }

    @Test
    void aSilenceTimeoutAKinesisHeartbeatWouldTripIsRefused() {
        assertThatThrownBy(() -> builder().silenceTimeout(Duration.ofSeconds(5)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("silenceTimeout");
    }
}
