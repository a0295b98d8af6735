package io.kinesisha.controller.operations.steps;

import io.kinesisha.common.control.ShardProgress;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * Where replication left each source shard in the new region, for SDK consumers. Exact translation: per source
 * shard, the progress row pairs the last replicated source record with the target shard and sequence number of its
 * copy, so an SDK consumer that had processed everything replicated resumes after that target position. The
 * timestamp (the earliest arrival of those copies, less a buffer; without usable progress now - replication lag -
 * buffer) is replication's, not a consumer's: Lambda consumers start from their own progress
 * ({@link io.kinesisha.controller.consumers.LambdaStart}).
 */
public record ConsumerStart(Instant timestamp, String method, Map<String, String> positions) {
    public static final Duration DEFAULT_BUFFER = Duration.ofSeconds(5);

    public ConsumerStart {
        positions = Map.copyOf(positions);
    }

    public static ConsumerStart translate(
            List<ShardProgress> progress, KinesisClient target, String targetArn, Instant now, Duration buffer) {
        Map<String, String> positions = new LinkedHashMap<>();
        long lag = progress.stream()
                .mapToLong(ShardProgress::millisBehindLatest)
                .max()
                .orElse(0);
        Instant fallback = now.minusMillis(lag).minus(buffer);
        if (progress.isEmpty()) {
            return new ConsumerStart(
                    fallback, "fallback (no progress): now - lag " + lag + " ms - buffer " + buffer, positions);
        }
        Instant earliest = null;
        String missing = null;
        for (ShardProgress p : progress.stream()
                .sorted(Comparator.comparing(ShardProgress::sourceShardId))
                .toList()) {
            if (p.targetShardId() == null || p.targetSequenceNumber() == null) {
                missing = p.sourceShardId() + " has no target position";
                continue;
            }
            positions.put(p.sourceShardId(), p.targetShardId() + "@" + p.targetSequenceNumber());
            try {
                Instant arrival = arrival(target, targetArn, p.targetShardId(), p.targetSequenceNumber());
                earliest = earliest == null || arrival.isBefore(earliest) ? arrival : earliest;
            } catch (RuntimeException e) {
                missing = "copy of " + p.sourceShardId() + " unreadable: " + e.getMessage();
            }
        }
        if (missing != null || earliest == null) {
            return new ConsumerStart(
                    fallback, "fallback (" + missing + "): now - lag " + lag + " ms - buffer " + buffer, positions);
        }
        return new ConsumerStart(
                earliest.minus(buffer),
                "translated: earliest target arrival of the last replicated " + "records " + earliest + " - buffer "
                        + buffer,
                positions);
    }

    private static Instant arrival(KinesisClient kinesis, String arn, String shard, String sequence) {
        String iterator = kinesis.getShardIterator(b -> b.streamARN(arn)
                        .shardId(shard)
                        .shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER)
                        .startingSequenceNumber(sequence))
                .shardIterator();
        GetRecordsResponse page =
                kinesis.getRecords(b -> b.streamARN(arn).shardIterator(iterator).limit(1));
        if (page.records().isEmpty()) {
            throw new IllegalStateException("no record at " + shard + "@" + sequence);
        }
        return page.records().get(0).approximateArrivalTimestamp();
    }

    /** As step parameters: the timestamp, the method, and {@code consumer.position.<shard>}. */
    public Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        StepParameters.CONSUMER_START.put(p, timestamp);
        StepParameters.CONSUMER_START_METHOD.put(p, method);
        positions.forEach(
                (shard, pos) -> StepParameters.CONSUMER_POSITION.of(shard).put(p, pos));
        return p;
    }
}
