package io.kinesisha.controller.operations;

import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.testkit.LocalEnvironment;
import io.kinesisha.testkit.LocalRegion;
import java.util.LinkedHashMap;
import java.util.Map;

/** A replication pair on the local environment: a stream in each region and the config that names them. */
public final class LocalPair {
    public final String name;
    public final String primaryArn;
    public final String secondaryArn;
    public final ReplicationPairConfig config;
    public final Map<String, String> keys;

    public LocalPair(LocalEnvironment env, String name, int shards, Map<String, String> extra) {
        this(env, name, shards, shards, extra);
    }

    /** A pair whose streams have different shard maps (the secondary is re-partitioned). */
    public LocalPair(
            LocalEnvironment env, String name, int primaryShards, int secondaryShards, Map<String, String> extra) {
        this.name = name;
        LocalRegion primary = env.primary();
        LocalRegion secondary = env.secondary();
        this.primaryArn = primary.createStream(name, primaryShards);
        this.secondaryArn = secondary.createStream(name, secondaryShards);
        Map<String, String> k = new LinkedHashMap<>();
        k.put("pair.name", name);
        k.put("primary.stream-arn", primaryArn);
        k.put("primary.endpoint", primary.kinesisEndpoint().toString());
        k.put("secondary.stream-arn", secondaryArn);
        k.put("secondary.endpoint", secondary.kinesisEndpoint().toString());
        k.put("control.endpoint", env.controlStoreEndpoint().toString());
        k.put("control.table-name", "control-" + name);
        k.put("replication.consumer-name", "replicator-" + name);
        k.put("replication.checkpoint-interval-ms", "1000");
        k.put("replication.shard-discovery-interval-ms", "1000");
        k.put("health.probe-interval-ms", "1000");
        k.put("health.probe-timeout-ms", "500");
        k.put("health.consecutive-bad-evaluations", "3");
        k.put("aws.credentials", "static");
        k.put("aws.access-key-id", primary.accountId());
        k.put("aws.secret-access-key", "local-secret");
        // the emulator can take seconds for a 500-record PutRecords under load (AWS: tens of milliseconds); the
        // settle time must cover the fence lease (3 s) plus that (checked at config load)
        k.put("replication.sink-request-timeout-ms", "10000");
        k.put("failover.fence-settle-ms", "13000");
        k.putAll(extra);
        this.keys = Map.copyOf(k);
        this.config = ReplicationPairConfig.fromMap(k);
    }

    /** A controller context on this pair, with the control table and the pair's first record created. */
    public PairContext openWithRecord(LocalEnvironment env) {
        PairContext ctx = PairContext.open(config, "test", java.time.Clock.systemUTC());
        ctx.store().createTableIfMissing();
        ctx.store()
                .create(io.kinesisha.common.control.ControlRecord.initial(
                        name, env.primary().name(), env.secondary().name(), java.time.Instant.now()));
        return ctx;
    }
}
