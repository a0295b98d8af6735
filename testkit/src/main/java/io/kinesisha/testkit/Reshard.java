package io.kinesisha.testkit;

import io.kinesisha.common.kinesis.ShardListing;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ScalingType;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * Splits and merges shards of a stream and waits until it is ACTIVE again: the reshards the replicator must follow
 * (its tests, and the soak benchmark that reshards every few minutes for an hour).
 */
public final class Reshard {
    private Reshard() {}

    /** Splits the stream's first shard in the middle of its hash range; returns that shard's id. */
    public static String splitFirst(KinesisClient kinesis, String arn) {
        return split(kinesis, arn, ShardListing.all(kinesis, arn).get(0));
    }

    /** Splits the open shard with the lowest hash keys in the middle of its hash range; returns that shard's id. */
    public static String splitLowestOpen(KinesisClient kinesis, String arn) {
        return split(kinesis, arn, openByHashKey(kinesis, arn).get(0));
    }

    private static String split(KinesisClient kinesis, String arn, Shard shard) {
        String middle = new BigInteger(shard.hashKeyRange().startingHashKey())
                .add(new BigInteger(shard.hashKeyRange().endingHashKey()))
                .shiftRight(1)
                .toString();
        kinesis.splitShard(b -> b.streamARN(arn).shardToSplit(shard.shardId()).newStartingHashKey(middle));
        awaitActive(kinesis, arn);
        return shard.shardId();
    }

    /** Merges the stream's first two shards (listing order, open or not: a stream that was never resharded). */
    public static void mergeFirstTwo(KinesisClient kinesis, String arn) {
        List<Shard> shards = ShardListing.all(kinesis, arn);
        merge(kinesis, arn, shards.get(0).shardId(), shards.get(1).shardId());
    }

    /** Merges the two children of {@code parent} back into one shard. */
    public static void mergeChildrenOf(KinesisClient kinesis, String arn, String parent) {
        List<String> children = ShardListing.all(kinesis, arn).stream()
                .filter(s -> parent.equals(s.parentShardId()))
                .sorted((a, b) -> new BigInteger(a.hashKeyRange().startingHashKey())
                        .compareTo(new BigInteger(b.hashKeyRange().startingHashKey())))
                .map(Shard::shardId)
                .collect(Collectors.toList());
        if (children.size() != 2) {
            throw new IllegalStateException("shard " + parent + " has children " + children + ", not two");
        }
        merge(kinesis, arn, children.get(0), children.get(1));
    }

    /** Merges the two adjacent open shards with the lowest hash keys. */
    public static void mergeLowestOpen(KinesisClient kinesis, String arn) {
        List<Shard> open = openByHashKey(kinesis, arn);
        merge(kinesis, arn, open.get(0).shardId(), open.get(1).shardId());
    }

    private static List<Shard> openByHashKey(KinesisClient kinesis, String arn) {
        return ShardListing.all(kinesis, arn).stream()
                .filter(s -> s.sequenceNumberRange().endingSequenceNumber() == null)
                .sorted(Comparator.comparing(
                        s -> new BigInteger(s.hashKeyRange().startingHashKey())))
                .collect(Collectors.toList());
    }

    private static void merge(KinesisClient kinesis, String arn, String shard, String adjacent) {
        kinesis.mergeShards(b -> b.streamARN(arn).shardToMerge(shard).adjacentShardToMerge(adjacent));
        awaitActive(kinesis, arn);
    }

    /**
     * UpdateShardCount with uniform scaling (what most operators run): every open shard is split or merged at once, so
     * all of them close and new ones open.
     */
    public static void scaleUniformly(KinesisClient kinesis, String arn, int targetShardCount) {
        kinesis.updateShardCount(
                b -> b.streamARN(arn).targetShardCount(targetShardCount).scalingType(ScalingType.UNIFORM_SCALING));
        awaitActive(kinesis, arn);
    }

    /** The stream's open shards now. */
    public static int openShardCount(KinesisClient kinesis, String arn) {
        return openByHashKey(kinesis, arn).size();
    }

    public static void awaitActive(KinesisClient kinesis, String arn) {
        Waits.until(
                () -> kinesis.describeStreamSummary(b -> b.streamARN(arn))
                                .streamDescriptionSummary()
                                .streamStatus()
                        == StreamStatus.ACTIVE,
                Duration.ofSeconds(30),
                () -> "stream " + arn + " ACTIVE after a reshard");
    }
}
