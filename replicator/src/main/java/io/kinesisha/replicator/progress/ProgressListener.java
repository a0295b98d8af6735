package io.kinesisha.replicator.progress;

import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.replicator.ReplicatedRecord;
import io.kinesisha.replicator.sink.SinkWriteListener;
import java.time.Duration;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.MetricGroup;

/**
 * Connects the sink to the control store: tracks what the target holds per source shard and publishes it at
 * most once per {@code publishInterval} and after every flush (checkpoint). Exposes the replication lag and
 * records written as Flink metrics, which reach CloudWatch on Managed Flink.
 */
public final class ProgressListener implements SinkWriteListener<ReplicatedRecord> {
    private static final long serialVersionUID = 1L;
    public static final String REPLICATION_LAG = "replicationLagMillis";
    public static final String RECORDS_REPLICATED = "recordsReplicated";
    public static final String PROGRESS_FAILURES = "progressPublishFailures";

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

    public ProgressListener(String pairName, ReplicationDirection direction, long epoch, AwsTarget controlStore,
                            String controlTable, ClientTuning tuning, Duration publishInterval) {
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
        MetricGroup metrics = context.metricGroup();
        metrics.gauge(REPLICATION_LAG, () -> lag);
        metrics.gauge(RECORDS_REPLICATED, () -> written);
        metrics.gauge(PROGRESS_FAILURES, () -> publisher.failedSnapshots());
    }

    @Override
    public void onAccepted(ReplicatedRecord element) {
        tracker.accepted(element);
        long now = System.currentTimeMillis();
        lag = tracker.lagMillis(now);
        if (element.isHeartbeat() && now - lastPublishMillis >= publishInterval.toMillis()) {
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

    @Override
    public void onFlushed() {
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
