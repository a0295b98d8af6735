package io.kinesisha.controller.e2e;

import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.controller.operations.LocalPair;
import io.kinesisha.replicator.ReplicationPlan;
import io.kinesisha.replicator.Replicator;
import io.kinesisha.testkit.LocalEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/** The pieces both end-to-end tests assemble: the real replicator job, quick-failing producer clients, load sizing. */
final class EndToEndSupport {
    private EndToEndSupport() {}

    /** Submits the real replicator job (forward direction) to the test MiniCluster. */
    static JobClient startReplicator(LocalPair pair) throws Exception {
        StreamExecutionEnvironment flink = StreamExecutionEnvironment.getExecutionEnvironment();
        flink.setParallelism(2);
        Replicator.build(flink, pair.config, ReplicationPlan.prepare(pair.config, false));
        return flink.executeAsync("replicate " + pair.name);
    }

    /** Producer clients that give up on a dead endpoint within a second, as a latency-sensitive producer would. */
    static AwsClientFactory producerClients() {
        return new AwsClientFactory(new ClientTuning(Duration.ofMillis(1500), Duration.ofMillis(1000), 1));
    }

    /**
     * The emulator's raw ingest here and now (records/s), measured on a scratch stream with 500-record batches:
     * the reference the producer's load is a fraction of.
     */
    static double rawIngestPerSecond(LocalEnvironment env, KinesisClient primary) {
        String arn = env.primary().createStream("calibration", 2);
        long started = System.nanoTime();
        int total = 1000;
        for (int done = 0; done < total; done += 500) {
            int base = done;
            primary.putRecords(b -> b.streamARN(arn)
                    .records(java.util.stream.IntStream.range(0, 500)
                            .mapToObj(
                                    i -> software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry.builder()
                                            .partitionKey("c" + (base + i))
                                            .data(software.amazon.awssdk.core.SdkBytes.fromUtf8String("x"))
                                            .build())
                            .toList()));
        }
        return total / (Duration.ofNanos(System.nanoTime() - started).toMillis() / 1000.0);
    }

    static long replicated(List<ShardProgress> rows) {
        return rows.stream().mapToLong(ShardProgress::recordsReplicated).sum();
    }

    static Map<String, String> regionsTo(String primary, String primaryValue, String secondary, String secondaryValue) {
        return Map.of(primary, primaryValue, secondary, secondaryValue);
    }
}
