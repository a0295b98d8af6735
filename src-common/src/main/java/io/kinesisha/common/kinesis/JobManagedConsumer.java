package io.kinesisha.common.kinesis;

import io.kinesisha.common.config.ConsumerLifecycle;
import io.kinesisha.common.config.ReaderType;
import io.kinesisha.common.config.RegionConfig;
import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.common.control.ReplicationDirection;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;

/**
 * The EFO consumer a replication job registers for itself on its source stream. It outlives the job unless someone
 * deregisters it, and every registered consumer costs per shard-hour and counts against the stream's limit of 20,
 * so whoever stops a job for good (Ctrl-C of {@code replicate}, {@code replicate --cluster --stop}, the controller
 * stopping a Managed Flink application) retires it here. An operator's SELF_MANAGED consumer is never touched.
 */
public final class JobManagedConsumer {
    /** What became of the consumer. */
    public enum Outcome {
        DEREGISTERED,
        ALREADY_GONE,
        FAILED
    }

    /** The answer of {@link #retire}; {@code detail} says why when it FAILED. */
    public static final class Retirement {
        private final JobManagedConsumer consumer;
        private final Outcome outcome;
        private final String detail;

        Retirement(JobManagedConsumer consumer, Outcome outcome, String detail) {
            this.consumer = consumer;
            this.outcome = outcome;
            this.detail = detail;
        }

        public JobManagedConsumer consumer() {
            return consumer;
        }

        public Outcome outcome() {
            return outcome;
        }

        public String detail() {
            return detail;
        }

        @Override
        public String toString() {
            return "EFO consumer " + consumer + ": "
                    + outcome.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                    + (detail.isEmpty() ? "" : " (" + detail + ")");
        }
    }

    private final String name;
    private final String streamArn;

    public JobManagedConsumer(String name, String streamArn) {
        this.name = name;
        this.streamArn = streamArn;
    }

    /**
     * The consumer the job of {@code direction} registers itself, or empty when it registers none: a polling
     * reader, or forward replication reading through the operator's SELF_MANAGED consumer (reverse replication
     * always manages its own, as the configured consumer belongs to the primary stream).
     */
    public static Optional<JobManagedConsumer> of(ReplicationPairConfig config, ReplicationDirection direction) {
        if (config.replication().reader() != ReaderType.EFO) {
            return Optional.empty();
        }
        RegionConfig source =
                direction.sourceRegion().equals(config.primary().region()) ? config.primary() : config.secondary();
        boolean forward = source == config.primary();
        if (forward && config.replication().consumerLifecycle() == ConsumerLifecycle.SELF_MANAGED) {
            return Optional.empty();
        }
        return Optional.of(new JobManagedConsumer(
                config.replication().consumerName(), source.streamArn().toString()));
    }

    public String name() {
        return name;
    }

    public String streamArn() {
        return streamArn;
    }

    /** What {@link #registerAhead} did. */
    public enum Registration {
        REGISTERED,
        ALREADY_REGISTERED,
        FAILED
    }

    /**
     * Registers the consumer ahead of the job, so that it is ACTIVE by the time the job's source asks for it (the
     * source still registers or finds it, and checks it is usable, before it reads). One already registered is fine;
     * a failure is answered, never thrown: the source then registers it itself (and says why it cannot).
     */
    public Registration registerAhead(KinesisClient kinesis) {
        try {
            kinesis.registerStreamConsumer(b -> b.streamARN(streamArn).consumerName(name));
            return Registration.REGISTERED;
        } catch (software.amazon.awssdk.services.kinesis.model.ResourceInUseException alreadyRegistered) {
            return Registration.ALREADY_REGISTERED;
        } catch (SdkException e) {
            return Registration.FAILED;
        }
    }

    /** Deregisters the consumer; a consumer already gone is fine, any other failure is answered, never thrown. */
    public Retirement retire(KinesisClient kinesis) {
        try {
            kinesis.deregisterStreamConsumer(b -> b.streamARN(streamArn).consumerName(name));
            return new Retirement(this, Outcome.DEREGISTERED, "");
        } catch (ResourceNotFoundException gone) {
            return new Retirement(this, Outcome.ALREADY_GONE, "");
        } catch (SdkException e) {
            return new Retirement(this, Outcome.FAILED, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    @Override
    public String toString() {
        return name + " of " + streamArn;
    }
}
