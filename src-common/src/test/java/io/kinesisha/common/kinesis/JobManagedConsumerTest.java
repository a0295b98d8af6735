package io.kinesisha.common.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.common.control.ReplicationDirection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which consumer a stopped job leaves behind: the job's own on its source stream, never the operator's. */
class JobManagedConsumerTest {
    private static final String PRIMARY = "arn:aws:kinesis:us-east-1:123456789012:stream/orders";
    private static final String SECONDARY = "arn:aws:kinesis:us-west-2:123456789012:stream/orders-replica";
    private static final ReplicationDirection FORWARD = new ReplicationDirection("us-east-1", "us-west-2");

    @Test
    void forwardAndReverseJobsOwnAConsumerOfTheirSourceStream() {
        ReplicationPairConfig config = ReplicationPairConfig.fromMap(keys());

        assertThat(JobManagedConsumer.of(config, FORWARD))
                .get()
                .satisfies(c -> assertThat(c.streamArn()).isEqualTo(PRIMARY))
                .satisfies(
                        c -> assertThat(c.name()).isEqualTo(config.replication().consumerName()));
        assertThat(JobManagedConsumer.of(config, FORWARD.reversed()))
                .get()
                .satisfies(c -> assertThat(c.streamArn()).isEqualTo(SECONDARY));
    }

    @Test
    void theOperatorsSelfManagedConsumerIsNeverRetiredButTheReverseJobsOwnIs() {
        Map<String, String> keys = keys();
        keys.put("replication.consumer-lifecycle", "SELF_MANAGED");
        keys.put("replication.consumer-arn", PRIMARY + "/consumer/theirs:1700000000");
        ReplicationPairConfig config = ReplicationPairConfig.fromMap(keys);

        assertThat(JobManagedConsumer.of(config, FORWARD)).isEmpty();
        assertThat(JobManagedConsumer.of(config, FORWARD.reversed()))
                .get()
                .satisfies(c -> assertThat(c.streamArn()).isEqualTo(SECONDARY));
    }

    @Test
    void aPollingJobRegistersNoConsumer() {
        Map<String, String> keys = keys();
        keys.put("replication.reader", "POLLING");

        assertThat(JobManagedConsumer.of(ReplicationPairConfig.fromMap(keys), FORWARD))
                .isEmpty();
    }

    private static Map<String, String> keys() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("pair.name", "orders");
        map.put("primary.stream-arn", PRIMARY);
        map.put("secondary.stream-arn", SECONDARY);
        return map;
    }
}
