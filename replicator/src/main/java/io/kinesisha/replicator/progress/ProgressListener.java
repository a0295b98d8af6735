package io.kinesisha.replicator.progress;

import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.metrics.MetricNames;
import io.kinesisha.replicator.ReplicatedRecord;
import io.kinesisha.replicator.sink.SinkWriteListener;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Connects the sink to the control store: tracks what the target holds per source shard and publishes it at
 * most once per {@code publishInterval} and after every flush (checkpoint). Exposes the replication lag and
 * records written as Flink metrics, which reach CloudWatch on Managed Flink.
 */
public final class ProgressListener implements SinkWriteListener<ReplicatedRecord> {
    private static final long serialVersionUID = 1L;

    private final String pairName;
    private final ReplicationDirection direction;
    private final long epoch;
    private final AwsTarget controlStore;
    private final String controlTable;
    private final ClientTuning tuning;
    private final Duration publishInterval;

    private transient ShardProgressTracker tracker;
    private transient ProgressPublisher publisher;
    private transient volatile long lag;
    private transient volatile long written;
    private transient long lastPublishMillis;
    private transient long version;
    private transient Map<String, BigInteger> alreadyReplicated;
    private transient Counter duplicates;

    public ProgressListener(
            String pairName,
            ReplicationDirection direction,
            long epoch,
            AwsTarget controlStore,
            String controlTable,
            ClientTuning tuning,
            Duration publishInterval) {
        this.pairName = pairName;
        this.direction = direction;
        this.epoch = epoch;
        this.controlStore = controlStore;
        this.controlTable = controlTable;
        this.tuning = tuning;
        this.publishInterval = publishInterval;
    }

    @Override
    public void open(WriterInitContext context) {
        tracker = new ShardProgressTracker(pairName, direction, epoch);
        publisher = new ProgressPublisher(controlStore, controlTable, tuning);
        alreadyReplicated = publisher.replicatedPositions(pairName, direction, epoch);
        MetricGroup metrics = context.metricGroup().addGroup(MetricNames.MANAGED_FLINK_GROUP);
        duplicates = metrics.counter(MetricNames.DUPLICATES_AFTER_RESTORE);
        metrics.gauge(MetricNames.REPLICATION_LAG, () -> lag);
        metrics.gauge(MetricNames.RECORDS_REPLICATED, () -> written);
        metrics.gauge(MetricNames.PROGRESS_FAILURES, () -> publisher.failedSnapshots());
    }

    @Override
    public void onAccepted(ReplicatedRecord element) {
        if (element.isWritable() && !alreadyReplicated.isEmpty()) {
            countIfAlreadyReplicated(element);
        }
        tracker.accepted(element);
        long now = System.currentTimeMillis();
        lag = tracker.lagMillis(now);
        if (!element.isWritable() && now - lastPublishMillis >= publishInterval.toMillis()) {
            publish(now);
        }
    }

    @Override
    public void onWritten(ReplicatedRecord element, String targetShardId, String targetSequenceNumber) {
        tracker.written(element, targetShardId, targetSequenceNumber);
        written = tracker.recordsWritten();
        long now = System.currentTimeMillis();
        lag = tracker.lagMillis(now);
        if (now - lastPublishMillis >= publishInterval.toMillis()) {
            publish(now);
        }
    }

    /**
     * After a restore the source re-reads from the checkpoint: a record at or below the position the control store
     * already recorded for its shard is certainly in the target already, so writing it again is a duplicate.
     */
    private void countIfAlreadyReplicated(ReplicatedRecord element) {
        BigInteger replicated = alreadyReplicated.get(element.getSourceShardId());
        if (replicated == null) {
            return;
        }
        if (new BigInteger(element.getSequenceNumber()).compareTo(replicated) <= 0) {
            duplicates.inc();
        } else {
            alreadyReplicated.remove(element.getSourceShardId());
        }
    }

    @Override
    public void onFlushed() {
        tracker.flushed();
        publish(System.currentTimeMillis());
    }

    private void publish(long now) {
        lastPublishMillis = now;
        publisher.publish(tracker.progress(++version, now));
    }

    @Override
    public void close() {
        if (publisher != null) {
            publisher.close();
        }
    }
}
