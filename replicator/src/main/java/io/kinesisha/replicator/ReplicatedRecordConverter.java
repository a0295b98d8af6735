package io.kinesisha.replicator;

import io.kinesisha.common.metrics.MetricNames;
import io.kinesisha.replicator.aggregation.KplAggregate;
import io.kinesisha.replicator.aggregation.UserRecord;
import io.kinesisha.replicator.sink.KinesisSinkElementConverter;
import io.kinesisha.replicator.sink.SinkEntry;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the replicator writes for a source record: a plain record as it is (bytes and partition key), a KPL
 * aggregate as its user records, each under its own partition key (and explicit hash key, if it had one).
 *
 * <p>Why de-aggregate: the target's shard map may differ from the source's, and KCL consumers of the target keep
 * only the user records of an aggregate that hash into the shard it landed in; per-key order must also hold per
 * user key, not per aggregate. Each user record becomes an entry in its own key's queue, so it lands where its
 * key maps in the target and keeps its place among its key's records. The price is one target record per user
 * record (more records, the same bytes). Re-aggregating per target shard would keep the record count down but
 * needs the target's shard map, refreshed on every target reshard, and is not done.
 *
 * <p>Heartbeats and skipped records become nothing.
 */
public final class ReplicatedRecordConverter implements KinesisSinkElementConverter<ReplicatedRecord> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedRecordConverter.class);

    private transient Counter aggregates;
    private transient Counter userRecords;
    private transient Counter invalidAggregates;

    @Override
    public void open(WriterInitContext context) {
        MetricGroup metrics = context.metricGroup().addGroup(MetricNames.MANAGED_FLINK_GROUP);
        aggregates = metrics.counter(MetricNames.KPL_AGGREGATES);
        userRecords = metrics.counter(MetricNames.KPL_USER_RECORDS);
        invalidAggregates = metrics.counter(MetricNames.KPL_INVALID_AGGREGATES);
    }

    /** The record unchanged, as one entry (what a plain record, and anything that is not a valid aggregate, becomes). */
    @Override
    public SinkEntry convert(ReplicatedRecord record) {
        return record.isWritable() ? SinkEntry.of(record.getPartitionKey(), record.getData()) : null;
    }

    @Override
    public List<SinkEntry> convertAll(ReplicatedRecord record) {
        List<SinkEntry> entries = new ArrayList<>(1);
        convertAll(record, entries);
        return entries;
    }

    @Override
    public void convertAll(ReplicatedRecord record, List<SinkEntry> into) {
        if (!record.isWritable()) {
            return;
        }
        if (KplAggregate.hasMagic(record.getData())) {
            List<UserRecord> users = KplAggregate.decode(record.getData());
            if (users != null) {
                counters();
                aggregates.inc();
                userRecords.inc(users.size());
                for (UserRecord user : users) {
                    into.add(SinkEntry.of(user.partitionKey(), user.data(), user.explicitHashKey()));
                }
                return;
            }
            counters();
            invalidAggregates.inc();
            if (invalidAggregates.getCount() == 1) {
                LOG.warn(
                        "{}@{} starts with the KPL aggregate magic but is not a valid aggregate (MD5, protobuf or keys): "
                                + "copied unchanged as a plain record; further ones are counted in {}",
                        record.getSourceShardId(),
                        record.getSequenceNumber(),
                        MetricNames.KPL_INVALID_AGGREGATES);
            }
        }
        into.add(SinkEntry.of(record.getPartitionKey(), record.getData()));
    }

    /** Counters that count nowhere when the converter is used without a writer (tests). */
    private void counters() {
        if (aggregates == null) {
            aggregates = new SimpleCounter();
            userRecords = new SimpleCounter();
            invalidAggregates = new SimpleCounter();
        }
    }
}
