package io.kinesisha.replicator.source;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.Collector;

/** Test element: what a job sees of a record (a POJO so Flink serializes it without Kryo). */
public final class KinesisRecordView {
    public String shardId;
    public String partitionKey;
    public String sequenceNumber;
    public String payload;

    public KinesisRecordView() {}

    static KinesisDeserializationSchema<KinesisRecordView> schema() {
        return new KinesisDeserializationSchema<>() {
            @Override
            public void deserialize(KinesisRecord record, Collector<KinesisRecordView> out) {
                KinesisRecordView v = new KinesisRecordView();
                v.shardId = record.shardId();
                v.partitionKey = record.partitionKey();
                v.sequenceNumber = record.sequenceNumber();
                v.payload = new String(record.data(), StandardCharsets.UTF_8);
                out.collect(v);
            }

            @Override
            public TypeInformation<KinesisRecordView> getProducedType() {
                return TypeInformation.of(KinesisRecordView.class);
            }
        };
    }
}
