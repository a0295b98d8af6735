package io.kinesisha.bench;

import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.common.control.ControlStore;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.replicator.ReplicationPlan;
import io.kinesisha.replicator.Replicator;
import io.kinesisha.testkit.LocalEnvironment;
import io.kinesisha.testkit.LocalRegion;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A replication pair as the benchmarks run it: the configuration (patient timeouts, because a loaded emulator can take
 * seconds per request, and no fence settle time, because nothing fails over), the job on a given Flink environment,
 * and its progress rows, so every benchmark measures the same job.
 */
final class BenchPair {
    static final String CONTROL_TABLE = "bench-control";

    private BenchPair() {}

    static ReplicationPairConfig config(
            LocalEnvironment env,
            String pair,
            String sourceArn,
            LocalRegion primary,
            String targetArn,
            String targetEndpoint) {
        return config(env, pair, sourceArn, primary, targetArn, targetEndpoint, Map.of());
    }

    /** The same with {@code settings} added (or overriding). */
    static ReplicationPairConfig config(
            LocalEnvironment env,
            String pair,
            String sourceArn,
            LocalRegion primary,
            String targetArn,
            String targetEndpoint,
            Map<String, String> settings) {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("pair.name", pair);
        keys.put("primary.stream-arn", sourceArn);
        keys.put("primary.endpoint", primary.kinesisEndpoint().toString());
        keys.put("secondary.stream-arn", targetArn);
        keys.put("secondary.endpoint", targetEndpoint);
        keys.put("control.endpoint", env.controlStoreEndpoint().toString());
        keys.put("control.table-name", CONTROL_TABLE);
        keys.put("replication.consumer-name", "bench-" + pair);
        keys.put("aws.credentials", "static");
        keys.put("aws.access-key-id", primary.accountId());
        keys.put("aws.secret-access-key", "local-secret");
        keys.put("aws.api-call-timeout-ms", "120000");
        keys.put("aws.api-call-attempt-timeout-ms", "60000");
        // the emulator can take seconds per PutRecords under load; nothing here fails over, so no settle time
        keys.put("replication.sink-request-timeout-ms", "60000");
        keys.put("failover.fence-settle-ms", "0");
        keys.putAll(settings);
        return ReplicationPairConfig.fromMap(keys);
    }

    /** Submits the replicator with one reader and one writer per source shard ({@code parallelism}). */
    static JobClient start(StreamExecutionEnvironment flink, ReplicationPairConfig config, int parallelism)
            throws Exception {
        return start(flink, config, ReplicationPlan.prepare(config, false), parallelism);
    }

    /** Submits the replicator of an already prepared {@code plan}. */
    static JobClient start(
            StreamExecutionEnvironment flink, ReplicationPairConfig config, ReplicationPlan plan, int parallelism)
            throws Exception {
        flink.setParallelism(parallelism);
        Replicator.build(flink, config, plan);
        return flink.executeAsync("bench " + config.pairName());
    }

    /** Reads a pair's progress rows (primary to secondary, epoch 1) through one control-store client. */
    static final class Progress implements AutoCloseable {
        private final AwsClientFactory clients = new AwsClientFactory();
        private final DynamoDbClient dynamo;
        private final ControlStore store;
        private final ReplicationDirection direction;
        private final String pair;

        Progress(LocalEnvironment env, ReplicationPairConfig config) {
            dynamo = clients.dynamoDb(env.controlStoreTarget(env.primary().name()));
            store = new ControlStore(dynamo, CONTROL_TABLE);
            direction = new ReplicationDirection(
                    env.primary().name(), env.secondary().name());
            pair = config.pairName();
        }

        /** Every source shard's row; none while the job has not written any yet. */
        List<ShardProgress> rows() {
            try {
                return store.readProgress(pair, direction, 1);
            } catch (RuntimeException tableNotThereYet) {
                return List.of();
            }
        }

        /** Records replicated so far, over every source shard's row. */
        static long replicated(List<ShardProgress> rows) {
            return rows.stream().mapToLong(ShardProgress::recordsReplicated).sum();
        }

        @Override
        public void close() {
            dynamo.close();
            clients.close();
        }
    }
}
