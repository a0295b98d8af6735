package io.kinesisha.testkit;

import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTarget;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.core.retry.backoff.FixedDelayBackoffStrategy;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ConsumerStatus;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.waiters.KinesisWaiter;

/**
 * One emulated AWS region: its Kinesis service (a kinesis-local process) behind a {@link FaultProxy}, so the
 * region can go down ({@link #stop()}), come back with its data ({@link #start()}), or become unreachable
 * ({@link #blackhole()}) while clients keep the same endpoint.
 */
public final class LocalRegion {
    private final String name;
    private final String accountId;
    private final KinesisEmulator emulator;
    private final FaultProxy proxy;
    private final AwsClientFactory clients;

    LocalRegion(String name, String accountId, KinesisEmulator emulator, AwsClientFactory clients) {
        this.name = name;
        this.accountId = accountId;
        this.emulator = emulator;
        this.proxy = new FaultProxy(name);
        this.clients = clients;
    }

    public String name() {
        return name;
    }

    public String accountId() {
        return accountId;
    }

    /** The endpoint clients use; stable across stop, start, blackhole and restore. */
    public URI kinesisEndpoint() {
        return URI.create("http://127.0.0.1:" + proxy.port());
    }

    /** Region, endpoint and the static keys that select this region's account in the emulator. */
    public AwsTarget target() {
        return AwsTarget.local(name, kinesisEndpoint(), accountId, "local-secret");
    }

    public String streamArn(String streamName) {
        return "arn:aws:kinesis:" + name + ":" + accountId + ":stream/" + streamName;
    }

    /** Creates a provisioned stream through the API and waits until it is ACTIVE; returns its ARN. */
    public String createStream(String streamName, int shards) {
        try (KinesisClient kinesis = clients.kinesis(target())) {
            try {
                kinesis.createStream(b -> b.streamName(streamName).shardCount(shards));
            } catch (ResourceInUseException alreadyThere) {
                // idempotent: an existing stream of that name is waited for like a new one
            }
            // the SDK waiter polls every 10 s by default; the emulator turns ACTIVE after ~0.5 s
            try (KinesisWaiter waiter = KinesisWaiter.builder()
                    .client(kinesis)
                    .overrideConfiguration(
                            w -> w.backoffStrategy(FixedDelayBackoffStrategy.create(Duration.ofMillis(100)))
                                    .maxAttempts(600))
                    .build()) {
                waiter.waitUntilStreamExists(b -> b.streamName(streamName));
            }
        }
        return streamArn(streamName);
    }

    /** Registers an EFO consumer of the stream and waits until it is ACTIVE; returns its ARN. */
    public String registerConsumer(String streamArn, String consumerName) {
        try (KinesisClient kinesis = clients.kinesis(target())) {
            String consumerArn = kinesis.registerStreamConsumer(
                            b -> b.streamARN(streamArn).consumerName(consumerName))
                    .consumer()
                    .consumerARN();
            Waits.until(
                    () -> kinesis.describeStreamConsumer(b -> b.consumerARN(consumerArn))
                                    .consumerDescription()
                                    .consumerStatus()
                            == ConsumerStatus.ACTIVE,
                    Duration.ofSeconds(30),
                    () -> "consumer " + consumerArn + " ACTIVE");
            return consumerArn;
        }
    }

    /** Region outage: SIGTERM the service and wait until it has persisted and exited. */
    public synchronized void stop() {
        proxy.target(null);
        emulator.stop();
    }

    /** The region comes back with every stream, record, sequence number and consumer it had. */
    public synchronized void start() {
        emulator.start();
        proxy.target(new InetSocketAddress(InetAddress.getLoopbackAddress(), emulator.port()));
    }

    /** The region stays up but nothing reaches it: clients time out. */
    public void blackhole() {
        proxy.blackhole();
    }

    /**
     * On the connections open now the region gets requests on time but answers {@code delay} late: clients time out
     * on requests it applied. New connections are served normally.
     */
    public void answerSlowly(Duration delay) {
        proxy.delayResponses(delay);
    }

    /** Ends a blackhole or slow answers. */
    public void restore() {
        proxy.restore();
    }

    /** Region and credentials with the emulator's own port, past the proxy: for observers while the proxy misbehaves. */
    public AwsTarget directTarget() {
        return AwsTarget.local(name, URI.create("http://127.0.0.1:" + emulator.port()), accountId, "local-secret");
    }

    public boolean isRunning() {
        return emulator.isRunning();
    }

    public boolean isBlackholed() {
        return proxy.isBlackholed();
    }

    /** PID of the emulator process (-1 when stopped), for operators who want to look at it. */
    public long pid() {
        return emulator.pid();
    }

    public Duration lastStartTime() {
        return emulator.lastStartTime();
    }

    synchronized void close(Duration grace) {
        proxy.close();
        emulator.stop(grace);
    }
}
