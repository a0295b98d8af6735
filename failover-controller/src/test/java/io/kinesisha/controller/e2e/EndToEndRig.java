package io.kinesisha.controller.e2e;

import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.control.ActiveRegionResolver;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.controller.operations.LocalPair;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.testkit.KeyedLoad;
import io.kinesisha.testkit.LocalEnvironment;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * One end-to-end run, set up the same way in every such test: a pair with the real replicator job copying it,
 * producer clients of both regions that give up on a dead endpoint within a second, and the pair's context as
 * {@code actor}. Closing it closes them and cancels the job.
 */
final class EndToEndRig implements AutoCloseable {
    final LocalEnvironment env;
    final LocalPair pair;
    final String primary;
    final String secondary;
    final AwsClientFactory clients;
    final KinesisClient west;
    final KinesisClient east;
    final PairContext ctx;
    private final JobClient job;

    private EndToEndRig(LocalEnvironment env, LocalPair pair, JobClient job, String actor) {
        this.env = env;
        this.pair = pair;
        this.primary = env.primary().name();
        this.secondary = env.secondary().name();
        this.job = job;
        this.clients = EndToEndSupport.producerClients();
        this.west = clients.kinesis(env.primary().target());
        this.east = clients.kinesis(env.secondary().target());
        this.ctx = PairContext.open(pair.config, actor, Clock.systemUTC());
    }

    /** Starts the replicator job of {@code pair} (made on {@code env}) and opens the clients and the context. */
    static EndToEndRig start(LocalEnvironment env, LocalPair pair, String actor) throws Exception {
        JobClient job = EndToEndSupport.startReplicator(pair);
        try {
            return new EndToEndRig(env, pair, job, actor);
        } catch (RuntimeException e) {
            job.cancel().get(30, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** A keyed load that follows {@code resolver}, writing through the producer clients to both streams. */
    KeyedLoad.Builder load(ActiveRegionResolver resolver) {
        return KeyedLoad.builder(resolver)
                .region(primary, west, pair.primaryArn)
                .region(secondary, east, pair.secondaryArn);
    }

    /** Records the job reports replicated in {@code direction}, epoch 1. */
    long replicated(ReplicationDirection direction) {
        return EndToEndSupport.replicated(ctx.store().readProgress(pair.name, direction, 1));
    }

    @Override
    public void close() throws Exception {
        try (AwsClientFactory c = clients;
                KinesisClient w = west;
                KinesisClient e = east;
                PairContext p = ctx) {
            // closed in reverse order
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }
}
