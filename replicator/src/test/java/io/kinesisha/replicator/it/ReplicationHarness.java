package io.kinesisha.replicator.it;

import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.common.control.ControlStore;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.replicator.ReplicationPlan;
import io.kinesisha.replicator.Replicator;
import io.kinesisha.replicator.sink.ClientOverrides;
import io.kinesisha.testkit.LocalEnvironment;
import io.kinesisha.testkit.LocalRegion;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** A replication pair on the local environment: streams in both regions, its config, and the job. */
final class ReplicationHarness {
    final LocalEnvironment env;
    final String pair;
    final String sourceArn;
    final String targetArn;
    final ReplicationPairConfig config;
    /** The config as dotted keys, for a job that reads it from a file. */
    final Map<String, String> keys;

    ReplicationHarness(
            LocalEnvironment env, String pair, int sourceShards, int targetShards, Map<String, String> extra) {
        this.env = env;
        this.pair = pair;
        LocalRegion primary = env.primary();
        LocalRegion secondary = env.secondary();
        this.sourceArn = primary.createStream(pair, sourceShards);
        this.targetArn = secondary.createStream(pair, targetShards);
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("pair.name", pair);
        keys.put("primary.stream-arn", sourceArn);
        keys.put("primary.endpoint", primary.kinesisEndpoint().toString());
        keys.put("secondary.stream-arn", targetArn);
        keys.put("secondary.endpoint", secondary.kinesisEndpoint().toString());
        keys.put("control.endpoint", env.controlStoreEndpoint().toString());
        keys.put("control.table-name", "control-" + pair);
        keys.put("replication.consumer-name", "replicator-" + pair);
        keys.put("replication.checkpoint-interval-ms", "1000");
        keys.put("replication.shard-discovery-interval-ms", "1000");
        keys.put("aws.credentials", "static");
        keys.put("aws.access-key-id", primary.accountId());
        keys.put("aws.secret-access-key", "local-secret");
        // the emulator can take seconds for a 500-record PutRecords under load (AWS: tens of milliseconds); the
        // settle time must cover the fence lease (3 s) plus that (checked at config load)
        keys.put("replication.sink-request-timeout-ms", "10000");
        keys.put("failover.fence-settle-ms", "13000");
        keys.putAll(extra);
        this.keys = Collections.unmodifiableMap(keys);
        this.config = ReplicationPairConfig.fromMap(keys);
    }

    /** Writes the config as a .properties file (what {@code --config FILE} reads). */
    Path writeConfig(Path file) throws IOException {
        Properties properties = new Properties();
        properties.putAll(keys);
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (Writer out = Files.newBufferedWriter(file)) {
            properties.store(out, "replication pair " + pair);
        }
        return file.toAbsolutePath();
    }

    /** Starts the replicator job on the test MiniCluster. */
    JobClient start(int parallelism) throws Exception {
        return start(parallelism, builder -> {});
    }

    /** Starts the job with additions to the sink's SDK client (fault injection). */
    JobClient start(int parallelism, ClientOverrides sinkOverrides) throws Exception {
        return start(parallelism, sinkOverrides, new Configuration());
    }

    /** Starts the job restored from {@code savepoint}. */
    JobClient startFromSavepoint(int parallelism, String savepoint) throws Exception {
        Configuration conf = new Configuration();
        conf.set(org.apache.flink.runtime.jobgraph.SavepointConfigOptions.SAVEPOINT_PATH, savepoint);
        return start(parallelism, builder -> {}, conf);
    }

    /** Starts the job so that its first failure ends it (instead of restarting forever). */
    JobClient startWithoutRestarts(int parallelism) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return start(parallelism, builder -> {}, conf);
    }

    private JobClient start(int parallelism, ClientOverrides sinkOverrides, Configuration conf) throws Exception {
        StreamExecutionEnvironment flink = StreamExecutionEnvironment.getExecutionEnvironment();
        flink.setParallelism(parallelism);
        flink.configure(conf);
        ReplicationPlan plan = ReplicationPlan.prepare(config, false);
        Replicator.build(flink, config, plan, sinkOverrides);
        return flink.executeAsync("replicate " + pair);
    }

    /** Progress rows of the forward direction under epoch 1. */
    List<ShardProgress> progress() {
        try (DynamoDbClient dynamo =
                env.clients().dynamoDb(env.controlStoreTarget(env.primary().name()))) {
            return new ControlStore(dynamo, config.control().tableName())
                    .readProgress(
                            pair,
                            new ReplicationDirection(
                                    env.primary().name(), env.secondary().name()),
                            1);
        }
    }

    long recordsReplicated() {
        return progress().stream().mapToLong(ShardProgress::recordsReplicated).sum();
    }
}
